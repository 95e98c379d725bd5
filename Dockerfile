# One image definition for the three apps; docker-compose.yml picks the target.
#   docker build --target relay -t opendescent-relay .
# The apps run as `npm run start:prod` runs them (decision 0016): the relay compiled to plain
# JavaScript (dist/relay, no compiler loaded), the Next.js apps' production builds served by
# scripts/serve-next.mjs. Validated by tests/workspace/docker-compose.spec.ts, not built here.
FROM node:20-bookworm-slim AS workspace
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production
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
RUN npm run --silent prepare:generated

FROM workspace AS relay
RUN node tools/build/relay.mjs
# The attachment volume of docker-compose.yml: a new named volume takes this owner and mode.
RUN install -d -m 0700 -o node -g node /var/lib/opendescent/attachments
USER node
EXPOSE 3002
CMD ["node", "dist/relay/apps/relay/src/main.js"]

FROM workspace AS admin
RUN node_modules/.bin/next build apps/admin
USER node
EXPOSE 3001
CMD ["node", "scripts/serve-next.mjs", "apps/admin"]

FROM workspace AS web
RUN node_modules/.bin/next build apps/web
USER node
EXPOSE 3000
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
