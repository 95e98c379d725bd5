# One image definition for the three apps; docker-compose.yml picks the target.
#   docker build --target relay -t opendescent-relay .
# The apps run from the workspace as `npm start` runs them, so the image and the local start
# share one code path (scripts/serve-next.mjs for the Next.js apps).
FROM node:20-bookworm-slim AS workspace
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY apps/relay/package.json apps/relay/
COPY apps/web/package.json apps/web/
COPY apps/admin/package.json apps/admin/
COPY libs/crypto/package.json libs/crypto/
COPY libs/protocol/package.json libs/protocol/
RUN npm ci --include=dev
COPY . .
RUN npm run --silent prepare:generated

FROM workspace AS relay
USER node
EXPOSE 3002
CMD ["node", "-r", "./apps/relay/register.cjs", "apps/relay/src/main.ts"]

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
