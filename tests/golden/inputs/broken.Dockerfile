FROM python:3.12-slim
WORKDIR /srv
COPYY app.py ./
USER 10001
HEALTHCHECK CMD ["python", "-c", "print(1)"]
CMD python app.py \
    --workers 2
