# syntax=docker/dockerfile:1.7
FROM node:20.18-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN <<EOF
set -eux
npx next build
npm prune --omit=dev
EOF

FROM node:20.18-alpine
ENV NODE_ENV=production
WORKDIR /app
RUN apk add --no-cache tini=0.19.0-r3
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build --chown=node:node /app/node_modules ./node_modules
USER node
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD ["node", "healthcheck.js"]
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["node", "server.js"]
