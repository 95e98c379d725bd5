// Test support shipped beside the protocol (as @nestjs/testing is): never imported by application code.
export { TestTokenIssuer } from './test-token-issuer';
