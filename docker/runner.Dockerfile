# The compose file's one-shot services (the coherence checks and the cluster's creation): Redis's
# own image for redis-cli and redis-benchmark, plus curl for respite's HTTP API. Built by compose.
FROM redis:7
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/coherence-check.sh /usr/local/bin/coherence-check
COPY scripts/cluster-create.sh /usr/local/bin/cluster-create
USER redis
ENTRYPOINT ["coherence-check"]
