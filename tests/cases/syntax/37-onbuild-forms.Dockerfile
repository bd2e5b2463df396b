FROM python:3.12-slim AS base
ONBUILD ARG APP_HOME=/srv
ONBUILD COPY --chown=app:app requirements.txt ${APP_HOME}/
ONBUILD RUN pip install --no-cache-dir -r ${APP_HOME}/requirements.txt
onbuild user app
FROM base
CMD ["python", "-m", "app"]
