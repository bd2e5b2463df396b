# prodpolicy ignore=base-image-unpinned -- vendor publishes only a rolling tag
FROM registry.example.internal/vendor/agent:latest AS agent
FROM registry.example.internal/platform/base:latest
COPY --from=agent /opt/agent /opt/agent
USER 10001
HEALTHCHECK CMD ["/opt/agent/bin/probe"]
ENTRYPOINT ["/opt/agent/bin/run"]
