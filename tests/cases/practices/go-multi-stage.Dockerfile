# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22.5

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y protobuf-compiler
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/server", "-probe"]
ENTRYPOINT ["/server"]
