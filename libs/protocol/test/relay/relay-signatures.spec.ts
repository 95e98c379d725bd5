/** Relay signatures (docs/protocol/relay.md §6): hello and recipient commands. */
import { ed25519KeyPairFromSeed, ed25519Sign } from '@opendescent/crypto';
import {
  commandSigningInput,
  decodeRelayCommand,
  encodeDelete,
  encodeSubscribe,
  helloSigningInput,
  signHello,
  verifyCommandSignature,
  verifyHelloSignature,
  type DeviceAttestation,
} from '../../src/index';
import { labelled } from '../support';

const challenge = labelled('challenge A', 32);
const otherChallenge = labelled('challenge B', 32);
const recipientId = labelled('recipient', 16);

async function device() {
  const pair = await ed25519KeyPairFromSeed(labelled('device key', 32));
  const attestation = { signingKey: pair.publicKey } as DeviceAttestation;
  return { pair, attestation };
}

describe('hello signature', () => {
  it('verifies for the attested key over this connection’s challenge', async () => {
    const { pair, attestation } = await device();
    expect(await verifyHelloSignature(attestation, challenge, await signHello(challenge, pair.privateKey))).toBe(true);
  });

  it('replayed on another connection (another challenge) does not verify', async () => {
    const { pair, attestation } = await device();
    expect(await verifyHelloSignature(attestation, otherChallenge, await signHello(challenge, pair.privateKey))).toBe(false);
  });

  it('made by a key other than the attested one does not verify', async () => {
    const { attestation } = await device();
    const thief = await ed25519KeyPairFromSeed(labelled('thief', 32));
    expect(await verifyHelloSignature(attestation, challenge, await signHello(challenge, thief.privateKey))).toBe(false);
  });

  it('is domain-separated from command signatures', async () => {
    const { pair, attestation } = await device();
    const asCommand = await ed25519Sign(pair.privateKey, commandSigningInput(challenge, new Uint8Array(0)));
    expect(await verifyHelloSignature(attestation, challenge, asCommand)).toBe(false);
    expect(helloSigningInput(challenge)).not.toEqual(commandSigningInput(challenge, new Uint8Array(0)));
  });

  it('of the wrong length is simply false, never a throw', async () => {
    const { attestation } = await device();
    expect(await verifyHelloSignature(attestation, challenge, new Uint8Array(63))).toBe(false);
  });
});

describe('recipient command signature', () => {
  it('verifies over the exact frame bytes under the queue key', async () => {
    const queue = await ed25519KeyPairFromSeed(labelled('queue key', 32));
    const frame = decodeRelayCommand('subscribe', await encodeSubscribe({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }));
    expect(await verifyCommandSignature(queue.publicKey, challenge, frame.signed, frame.signature)).toBe(true);
  });

  it('replayed on another connection does not verify', async () => {
    const queue = await ed25519KeyPairFromSeed(labelled('queue key', 32));
    const frame = decodeRelayCommand('subscribe', await encodeSubscribe({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }));
    expect(await verifyCommandSignature(queue.publicKey, otherChallenge, frame.signed, frame.signature)).toBe(false);
  });

  it('moved from a subscribe to a delete does not verify', async () => {
    const queue = await ed25519KeyPairFromSeed(labelled('queue key', 32));
    const subscribe = decodeRelayCommand('subscribe', await encodeSubscribe({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }));
    const remove = decodeRelayCommand('delete', await encodeDelete({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }));
    expect(await verifyCommandSignature(queue.publicKey, challenge, remove.signed, subscribe.signature)).toBe(false);
  });

  it('with a malformed key or signature is false, never a throw', async () => {
    expect(await verifyCommandSignature(new Uint8Array(31), challenge, new Uint8Array(1), new Uint8Array(64))).toBe(false);
    expect(await verifyCommandSignature(new Uint8Array(32), challenge, new Uint8Array(1), new Uint8Array(64))).toBe(false);
  });
});
