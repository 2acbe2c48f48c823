# Stand-in for redis:7.4-bookworm: Debian bookworm's Redis (7.0), data in /data like the upstream
# image, so compose.yaml's command, healthcheck and volume work unchanged.
FROM local/debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data
WORKDIR /data
EXPOSE 6379
CMD ["redis-server"]
