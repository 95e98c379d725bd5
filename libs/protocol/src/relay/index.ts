// The relay protocol (docs/protocol/relay.md): frames, signatures and error codes.
export * from './constants';
export * from './errors';
export * from './signatures';
export * from './commands';
export * from './replies';
export * from './shared-blobs';
export * from './attachments';
export * from './turn';
