FROM alpine:3.20
RUN <<-EOT sh
	echo one
		echo two
	EOT
RUN 3<<EOF cat /dev/fd/3
fd three
EOF
RUN <<"A" <<'B' cat
a $HOME
A
b
B
RUN --mount=type=cache,target=/root/.cache \
    --network=none <<EOF
set -e
EOF
COPY --chmod=0644 <<EOF /etc/app.conf
key=value
EOF
ONBUILD RUN <<EOF
echo onbuild
EOF
RUN echo start && \
  cat <<EOF > /x
body
EOF
ADD <<\EOF /y
raw $X
EOF
run <<EOF
lower
EOF
