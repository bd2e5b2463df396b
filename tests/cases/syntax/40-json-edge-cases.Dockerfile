FROM alpine:3.20
CMD ["sh", NaN]
ENTRYPOINT ["/bin/app", "--flag"] # a comment is not JSON
CMD ["caf\u00e9", "tab\there"]
VOLUME ["/data", "/logs"]
VOLUME /cache /tmp/x
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN echo ok | cat
