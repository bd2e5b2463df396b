FROM alpine:3.20
RUN cat << EOF > /etc/motd
welcome
EOF
RUN << "EOT" sh
echo spaced
EOT
USER nobody
