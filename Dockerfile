# The project image: worker, CLI, local ECS (which runs the processor in-container) and bridge.
# The processor's own production image is processor/Dockerfile.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY processor ./processor
COPY scripts ./scripts
COPY deploy ./deploy
COPY tsconfig.json ./
# With METRICS_ADDRESS set (the worker), alive means /healthz answers; others pass.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.js", "/healthz"]
# The worker drains on SIGTERM; run node directly so it receives the signal.
ENTRYPOINT ["node", "bin/slides.js"]
CMD ["worker"]
