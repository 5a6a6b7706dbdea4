# The SFTP front end for Fargate (lib/sftp-service). Built by `cdk deploy` for the
# architecture in the stage's config (linux/arm64 or linux/amd64).
ARG NODE_IMAGE=node:22-bookworm-slim

# Builder: compilers so `npm ci` builds ssh2's native crypto binding (without it
# AES-GCM runs ~3.6x slower) and better-sqlite3; npm ci's postinstall applies
# patches/ (patch-package) to ssh2.
FROM ${NODE_IMAGE} AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY types ./types
RUN npm run build
# Fail the build, rather than ship a silently slow server, if the binding is missing.
RUN node -e "process.exit(require('ssh2/lib/protocol/crypto.js').bindingAvailable ? 0 : 1)"
RUN npm prune --omit=dev --no-audit --no-fund

# Runtime: no compilers, no dev dependencies, not root.
FROM ${NODE_IMAGE}
# MALLOC_ARENA_MAX: glibc otherwise gives libuv's threads arenas of their own that keep
# freed transfer buffers (peak RSS of a 1 GiB upload 136 → 120 MiB, measured).
# NODE_OPTIONS: the S3 front end's small young generation (src/runtime/v8-heap.ts).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS=--max-semi-space-size=1 \
    THRU_SFTP_PORT=2222 \
    THRU_BIND=0.0.0.0
WORKDIR /app
COPY --from=builder /app/package.json ./package.json
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
USER node
EXPOSE 2222
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/bin/healthcheck.js"]
CMD ["node", "dist/bin/fargate.js"]
