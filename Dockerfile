# syntax=docker/dockerfile:1
# kakehashi: `serve` (the default command) and `worker` from one image.
#   docker build -t kakehashi .
#   docker compose up -d          (see docker-compose.yml)

# ── build: compile TypeScript, then keep only the production dependencies ──────────────────────
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 falls back to compiling when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Dependencies first, so that a source change does not reinstall them.
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 msgpackr-extract
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# ── runtime: node, the compiled code, production modules; runs as the unprivileged `node` user ─
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KAKEHASHI_HOST=0.0.0.0 \
    KAKEHASHI_PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY recipes ./recipes
COPY examples ./examples
# State (SQLite) and written feed files live on a volume the node user owns.
RUN mkdir -p /data/state /data/out && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KAKEHASHI_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/kakehashi.js"]
CMD ["serve", "--state-dir", "/data/state", "--output-dir", "/data/out", "recipes/lifestream.yaml"]
