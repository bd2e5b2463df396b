FROM alpine:3.20
RUN <<EOF
apk add --no-cache curl
EOF
COPY <<-CONF /etc/app.conf
	key=value
CONF
USER 1000
