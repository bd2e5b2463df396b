FROM registry.acme.internal/library/python:3.12-slim AS base
RUN pip install --no-cache-dir app

FROM base
CMD ["python", "-m", "app"]
