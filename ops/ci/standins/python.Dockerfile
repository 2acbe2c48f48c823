# Stand-in for python:3.11-slim-bookworm, built from the local Debian base (no registry here):
# Debian bookworm's Python 3.11 with venv and pip, `python` and `python3` on PATH.
FROM local/debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-venv python3-pip ca-certificates netbase >/dev/null \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
