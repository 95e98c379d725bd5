# The images of the three apps, over the production build (`npm run build`, decision 0016).
#   docker build --target relay -t opendescent-relay .     (relay, admin, web, proxy, turn, tools)
# One build stage holds the whole workspace with its development dependencies and runs
# `npm run build`; each app's image then holds only that app's dist/<app> folder (its code and the
# packages it loads, traced at build time: tools/build/copy-traced.mjs) on Node.js: no compiler, no
# test runner, no other app. Each runs as `node`, writes nothing into its own files (docker-compose
# gives it a read-only root filesystem), and reports its health. Validated by
# tests/workspace/docker-compose.spec.ts and linted with dockerfile-utils, not built here; what each
# folder runs is tested by tests/e2e/start-prod.e2e.ts from a copy outside the repository.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc ./
COPY apps/relay/package.json apps/relay/
COPY apps/web/package.json apps/web/
COPY apps/admin/package.json apps/admin/
COPY libs/crypto/package.json libs/crypto/
COPY libs/i18n/package.json libs/i18n/
COPY libs/protocol/package.json libs/protocol/
COPY libs/relay-client/package.json libs/relay-client/
RUN npm ci --include=dev
COPY . .
RUN npm run build

# The operator's one-shot commands, which run from the workspace (README, docs/operations.md):
#   docker compose run --rm tools npm run admin:audit-verify
FROM build AS tools
USER node

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1

FROM runtime AS relay
COPY --from=build /app/dist/relay ./
# The attachment volume of docker-compose.yml: a new named volume takes this owner and mode.
RUN install -d -m 0700 -o node -g node /var/lib/opendescent/attachments
USER node
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.RELAY_PORT || 3002}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/relay/src/main.js"]

# Also runs docker-compose's admin-migrate (tools/prisma/migrate.mjs, traced into dist/admin).
FROM runtime AS admin
COPY --from=build /app/dist/admin ./
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.ADMIN_PORT || 3001}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "scripts/serve-next.mjs", "apps/admin"]

FROM runtime AS web
COPY --from=build /app/dist/web ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.WEB_PORT || 3000}/`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "scripts/serve-next.mjs", "apps/web"]

# TLS in front of the three apps: Debian's Caddy with the repository's Caddyfile (every value in it
# comes from the environment; docker-compose.yml sets them). Its certificates and its own authority
# (`tls internal`) live in /data, a volume.
FROM debian:bookworm-slim AS proxy
RUN apt-get update && apt-get install -y --no-install-recommends caddy ca-certificates && rm -rf /var/lib/apt/lists/* \
  && install -d -m 0700 -o caddy -g caddy /data /config
COPY Caddyfile /etc/caddy/Caddyfile
ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/config
USER caddy
EXPOSE 443
CMD ["caddy", "run", "--adapter", "caddyfile", "--config", "/etc/caddy/Caddyfile"]

# The organisation's TURN server for direct channels (docs/protocol/direct.md §8): Debian's coturn,
# in its shared-secret mode. Optional: docker-compose.yml starts it with the `turn` profile.
FROM debian:bookworm-slim AS turn
RUN apt-get update && apt-get install -y --no-install-recommends coturn && rm -rf /var/lib/apt/lists/*
USER turnserver
EXPOSE 3478/udp 3478/tcp
# The secret comes from the environment, never the command line (where `ps` would show it), and a
# short or missing one stops the server instead of starting it open.
ENTRYPOINT ["sh", "-c", "[ ${#TURN_SECRET} -ge 16 ] || { echo 'turn: set TURN_SECRET (at least 16 characters)' >&2; exit 1; }; [ -n \"$TURN_PUBLIC_IP\" ] || { echo 'turn: set TURN_PUBLIC_IP' >&2; exit 1; }; umask 077; printf 'static-auth-secret=%s\\n' \"$TURN_SECRET\" > /tmp/turn-secret.conf; unset TURN_SECRET; exec turnserver -c /tmp/turn-secret.conf --use-auth-secret --external-ip=\"$TURN_PUBLIC_IP\" \"$@\"", "turn"]
