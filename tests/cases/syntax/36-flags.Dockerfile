# syntax=docker/dockerfile:1.7
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod,sharing=locked \
    --mount=type=secret,id=netrc,target=/root/.netrc,required=true \
    --mount=type=ssh \
    --mount=type=tmpfs,target=/tmp,size=64m \
    --network=host --security=sandbox \
    go build -o /out/app ./cmd/app
FROM scratch
COPY --from=build --chown=65532:65532 --chmod=0555 --link /out/app /app
COPY --parents --exclude=*.md --exclude=**/testdata ./docs/ /usr/share/doc/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.invalid/tool.tar.gz /opt/
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.22.0 /src/buildkit
ADD --unpack=true https://example.invalid/bundle.tar.gz /opt/bundle
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --start-interval=1s --retries=5 CMD ["/app", "health"]
USER 65532:65532
ENTRYPOINT ["/app"]
