# syntax=docker/dockerfile:1

# --- build: compile TypeScript and the native SQLite module ---
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build && npm prune --omit=dev

# --- run: only what the bot needs, as an unprivileged user ---
FROM node:24-bookworm-slim
# MALLOC_MMAP_THRESHOLD_: glibc's own 128 KiB default, kept fixed, so freed large buffers leave RSS (README, Performance).
ENV NODE_ENV=production \
    MALLOC_MMAP_THRESHOLD_=131072 \
    DATABASE_PATH=/app/data/model3d.sqlite \
    FILES_DIR=/app/data/files
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
# The operators' listener (README "Metrics and health"), on loopback unless METRICS_HOST says otherwise.
ENV METRICS_PORT=9464
# Ready = gateway connected and the store answering (with SHARDS: every shard). No curl in the slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node itself is PID 1 (no shell or npm in between), so SIGTERM reaches the bot.
# A 1 MB young generation: about 20 MB less resident memory for this I/O-bound bot (npm run bench, P4).
# A major GC once the old generation grows 15 % past what was live: the peak while 300 jobs finish and 30 s
# after stay within 150 MB and +10 % (P4). Model processing runs in child processes (src/model/spawn.ts): their
# OS memory bound is set with /bin/sh's `ulimit -d`, and dash is in this image.
CMD ["node", "--max-semi-space-size=1", "--heap-growing-percent=15", "dist/src/main.js"]
