#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which the Prisma CLI would otherwise download from
// Prisma's servers (unreachable offline and for air-gapped installs). `prisma generate` only
// checks that PRISMA_SCHEMA_ENGINE_BINARY names an existing file and never runs it; if a Prisma
// command ever does run it, it fails here with a pointer to what to use instead.
console.error(
  'The native Prisma schema engine is not installed in this repository.\n' +
    'Generate the client with `npm run prisma:generate`; create, apply and check migrations with\n' +
    '`npm run db:migrate:create -- --name <name>`, `npm run db:migrate:deploy`, `npm run db:migrate:status`.',
);
process.exit(1);
