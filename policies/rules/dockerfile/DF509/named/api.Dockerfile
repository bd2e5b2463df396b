FROM python:3.12-slim
WORKDIR /srv
COPY requirements.txt .
COPY tests/ ./tests/
CMD ["python", "-m", "api"]
