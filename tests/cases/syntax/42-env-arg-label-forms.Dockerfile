FROM alpine:3.20
ARG ONE=1 TWO=${ONE}2 THREE
ENV LEGACY_FORM value with "quotes" and spaces
ENV A="x y" B='$ONE literal' C=escaped\ space D=
LABEL "quoted key"=v maintainer=someone@example.invalid
ENV EMPTY_QUOTES="" \
    NEXT=after-continuation
STOPSIGNAL SIGQUIT
MAINTAINER Someone <someone@example.invalid>
VOLUME /data
