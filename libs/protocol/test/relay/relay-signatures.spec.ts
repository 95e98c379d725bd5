/** Relay signatures (docs/protocol/relay.md §6): recipient commands (the hello carries a token, not a signature). */
import { ed25519KeyPairFromSeed } from '@opendescent/crypto';
import { decodeRelayCommand, encodeDelete, encodeSubscribe, verifyCommandSignature } from '../../src/index';
import { labelled } from '../support';

const challenge = labelled('challenge A', 32);
const otherChallenge = labelled('challenge B', 32);
const recipientId = labelled('recipient', 16);

describe('recipient command signature', () => {
  it('verifies over the exact frame bytes under the queue key', async () => {
    const queue = await ed25519KeyPairFromSeed(labelled('queue key', 32));
    const frame = decodeRelayCommand(
      'subscribe',
      await encodeSubscribe({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }),
    );
    expect(await verifyCommandSignature(queue.publicKey, challenge, frame.signed, frame.signature)).toBe(true);
  });

  it('replayed on another connection does not verify', async () => {
    const queue = await ed25519KeyPairFromSeed(labelled('queue key', 32));
    const frame = decodeRelayCommand(
      'subscribe',
      await encodeSubscribe({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }),
    );
    expect(await verifyCommandSignature(queue.publicKey, otherChallenge, frame.signed, frame.signature)).toBe(false);
  });

  it('moved from a subscribe to a delete does not verify', async () => {
    const queue = await ed25519KeyPairFromSeed(labelled('queue key', 32));
    const subscribe = decodeRelayCommand(
      'subscribe',
      await encodeSubscribe({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }),
    );
    const remove = decodeRelayCommand(
      'delete',
      await encodeDelete({ requestId: 1, recipientId }, { challenge, key: queue.privateKey }),
    );
    expect(await verifyCommandSignature(queue.publicKey, challenge, remove.signed, subscribe.signature)).toBe(false);
  });

  it('with a malformed key or signature is false, never a throw', async () => {
    expect(await verifyCommandSignature(new Uint8Array(31), challenge, new Uint8Array(1), new Uint8Array(64))).toBe(
      false,
    );
    expect(await verifyCommandSignature(new Uint8Array(32), challenge, new Uint8Array(1), new Uint8Array(64))).toBe(
      false,
    );
  });
});
