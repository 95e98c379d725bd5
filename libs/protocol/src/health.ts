import { ProtocolError } from './errors';

/**
 * The relay's health document, served as JSON at `GET /health` (docs/protocol/README.md,
 * "Health"). It says only that the relay is up and which protocol it speaks: no counts, no ids.
 */
export interface RelayHealth {
  readonly service: 'opendescent-relay';
  readonly status: 'ok';
  /** The relay protocol version this relay speaks (docs/protocol/relay.md). */
  readonly protocolVersion: number;
}

/** Version 1 is the first relay protocol; docs/protocol/relay.md specifies it. */
export const RELAY_PROTOCOL_VERSION = 1;

export function relayHealth(): RelayHealth {
  return { service: 'opendescent-relay', status: 'ok', protocolVersion: RELAY_PROTOCOL_VERSION };
}

/** Checks a health document fetched from an untrusted address. */
export function parseRelayHealth(value: unknown): RelayHealth {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('malformed', 'relay health: expected a JSON object');
  }
  const { service, status, protocolVersion } = value as Record<string, unknown>;
  if (service !== 'opendescent-relay') {
    throw new ProtocolError('malformed', 'relay health: "service" is not "opendescent-relay"');
  }
  if (status !== 'ok') throw new ProtocolError('malformed', 'relay health: "status" is not "ok"');
  if (typeof protocolVersion !== 'number' || !Number.isSafeInteger(protocolVersion) || protocolVersion < 1) {
    throw new ProtocolError('malformed', 'relay health: "protocolVersion" is not a positive integer');
  }
  if (protocolVersion < RELAY_PROTOCOL_VERSION) {
    throw new ProtocolError(
      'version_too_old',
      `relay health: protocol ${protocolVersion} is older than ${RELAY_PROTOCOL_VERSION}`,
    );
  }
  if (protocolVersion > RELAY_PROTOCOL_VERSION) {
    throw new ProtocolError(
      'version_unknown',
      `relay health: protocol ${protocolVersion} is newer than this client knows`,
    );
  }
  return { service, status, protocolVersion };
}
