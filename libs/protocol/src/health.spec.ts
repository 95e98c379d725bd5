import fc from 'fast-check';
import { ProtocolError, RELAY_PROTOCOL_VERSION, parseRelayHealth, relayHealth } from './index';

describe('relay health document', () => {
  it('round-trips what the relay serves', () => {
    expect(parseRelayHealth(JSON.parse(JSON.stringify(relayHealth())))).toEqual(relayHealth());
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'ok'],
    ['another service', { ...relayHealth(), service: 'other' }],
    ['a status other than ok', { ...relayHealth(), status: 'degraded' }],
    ['a fractional version', { ...relayHealth(), protocolVersion: 1.5 }],
    ['a version as text', { ...relayHealth(), protocolVersion: '1' }],
  ])('refuses malformed input: %s', (_name, value) => {
    expect(() => parseRelayHealth(value)).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('tells a too-old version from an unknown one', () => {
    expect(() => parseRelayHealth({ ...relayHealth(), protocolVersion: RELAY_PROTOCOL_VERSION + 1 })).toThrow(
      expect.objectContaining({ code: 'version_unknown' }),
    );
    // Version 0 is below every version ever specified: malformed, not merely old.
    expect(() => parseRelayHealth({ ...relayHealth(), protocolVersion: 0 })).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
  });

  it('throws nothing but ProtocolError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseRelayHealth(value);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
