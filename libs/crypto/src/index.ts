// The only public surface of @opendescent/crypto. Everything here runs unchanged in the browser
// and in Node: no I/O, no Node or DOM globals (eslint.config.mjs enforces it).
export { randomBytes } from './random';
