# prodpolicy ignore=DF101 -- the vendor publishes only a rolling tag
FROM registry.example.internal/vendor/agent:latest
ENV API_TOKEN=ghp_Zx8Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz0Xc2V
USER 10001
HEALTHCHECK --interval=30s \
  CMD ["/agent", "health"]
CMD ["/agent"]
