# syntax=docker/dockerfile:1.7
# ack-node-operator image: compiled JavaScript and production dependencies on a distroless
# Node.js 24 base (no shell, no package manager), running as UID 65532.
#
#   docker build -t ack-node-operator:dev .
#
# Stages: `build` compiles TypeScript to dist/ with every dependency; `prod-deps` installs only
# the runtime dependencies from the lockfile; the final stage copies the two results and the
# simulator's catalog data, and nothing else (no sources, no dev dependencies, no npm).

ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay on: @alicloud/openapi-core selects its runtime files in postinstall.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
# Owned by root and only readable by the operator: the process cannot rewrite its own code.
# package.json is needed at runtime: its "type": "module" makes dist/*.js ES modules.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The instance-type catalog of the embedded simulator (--cloud-endpoint=embedded, the chart's try-out):
# dist/simulator/model/catalog.js reads ../../../data/ecs-instance-types.json, i.e. /app/data.
COPY data/ecs-instance-types.json ./data/
USER 65532:65532
# Metrics (/metrics) and health (/healthz, /readyz).
EXPOSE 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]
