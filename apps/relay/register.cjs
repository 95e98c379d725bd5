// Runs the relay straight from its TypeScript sources (and the libraries' sources it imports)
// with SWC, which keeps the decorator metadata NestJS's dependency injection needs.
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, 'tsconfig.json');
require('@swc-node/register');
