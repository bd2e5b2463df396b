FROM python:3.12
ENV PYTHONUNBUFFERED=1 LOG_FILE=/var/log/app/app.log
WORKDIR /srv
COPY . .
RUN apt-get update && apt-get install -y gcc libpq-dev
RUN pip install -r requirements.txt
RUN pip install -r requirements-dev.txt gunicorn
RUN curl -o /usr/local/bin/wait-for https://example.com/wait-for && chmod 777 /usr/local/bin/wait-for
VOLUME /srv/logs
HEALTHCHECK CMD curl -f http://127.0.0.1:8000/healthz || exit 1
CMD gunicorn --access-logfile /var/log/app/access.log app:wsgi
