# The orchestrator image: `slides worker` (the default), `slides bridge` and the rest of the CLI,
# as compiled JavaScript with production dependencies only. The processor's image is
# packages/processor/Dockerfile; the local ECS and the compose set-up use dev/Dockerfile.
# Node 22 LTS, the project's baseline (package.json engines, .node-version).
ARG NODE_VERSION=22

# Build stage: the orchestrator's and the shared packages' dependencies (TypeScript, tsx, webpack
# for the workflow bundle), then `npm run build -- orchestrator`: the shared packages' dist/,
# dist/src and the prebuilt dist/workflow-bundle.js.
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/task-contract/package.json packages/task-contract/
COPY packages/settings-errors/package.json packages/settings-errors/
RUN npm ci --no-audit --no-fund --include-workspace-root \
      --workspace=packages/task-contract --workspace=packages/settings-errors
COPY tsconfig.base.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY packages/task-contract ./packages/task-contract
COPY packages/settings-errors ./packages/settings-errors
RUN npm run build -- orchestrator

# Runtime stage: production dependencies exactly as locked (no sharp, no test server, no
# emulator: they are not the orchestrator's), the compiled code, no TypeScript sources.
FROM node:${NODE_VERSION}-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages/task-contract/package.json packages/task-contract/
COPY packages/settings-errors/package.json packages/settings-errors/
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root \
      --workspace=packages/task-contract --workspace=packages/settings-errors \
    && npm cache clean --force
COPY --from=build /app/packages/task-contract/dist ./packages/task-contract/dist
COPY --from=build /app/packages/settings-errors/dist ./packages/settings-errors/dist
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
# With METRICS_ADDRESS set (the worker), alive means /healthz answers; others pass.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.js", "/healthz"]
# The worker drains on SIGTERM; run node directly so it receives the signal.
ENTRYPOINT ["node", "bin/slides.js"]
CMD ["worker"]
