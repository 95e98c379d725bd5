import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured, redacted logs (docs/protocol/relay.md §10). The relay's own log lines carry events
 * and error codes only; the redaction below is a second line of defence should a field with one
 * of these names ever be logged by mistake.
 */
export const REDACTED_FIELDS = [
  'deviceId',
  'recipientId',
  'senderId',
  'messageId',
  'slotId',
  'sharedId',
  'uploadId',
  'attachmentId',
  'key',
  'recipientKey',
  'slotKey',
  'blob',
  'payload',
  'attestation',
  'token',
  'spendId',
  'signature',
  'challenge',
  'address',
  'ip',
];

export function createRelayLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'opendescent-relay' },
    redact: { paths: [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((field) => `*.${field}`)], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Nest's own log lines, through the same logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
