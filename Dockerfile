# The project image: worker, CLI, local ECS (which runs the processor in-container) and bridge,
# as compiled JavaScript. The processor's own production image is processor/Dockerfile.
# Node 22 LTS by default; Node 20 (>= 20.9, sharp's floor) works too: --build-arg NODE_VERSION=20.
ARG NODE_VERSION=22

# Build stage: every dependency (TypeScript, tsx, webpack for the workflow bundle), then
# `npm run build`: dist/src, dist/processor and the prebuilt dist/workflow-bundle.js.
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY processor ./processor
RUN npm run build

# Runtime stage: production dependencies only, the compiled code, no TypeScript sources.
FROM node:${NODE_VERSION}-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The local ECS's config for docker-compose.yml.
COPY deploy ./deploy
# With METRICS_ADDRESS set (the worker), alive means /healthz answers; others pass.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.js", "/healthz"]
# The worker drains on SIGTERM; run node directly so it receives the signal.
ENTRYPOINT ["node", "bin/slides.js"]
CMD ["worker"]
