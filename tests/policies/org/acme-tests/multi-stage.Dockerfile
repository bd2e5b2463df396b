# expect: ACME001
FROM golang:1.22 AS build
RUN go build -o /out/app .

FROM registry.acme.internal/distroless/static:nonroot
# Earlier stages are not base images, so this FROM is quiet.
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
