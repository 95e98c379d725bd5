/**
 * Our own golden vectors for the byte formats libs/crypto defines (crypto.md §11-§12), checked
 * in so that a format change shows as a diff. Keys come from public labels at test time, so the
 * vectors hold no secret. Messages carry random nonces, so their vectors are decode vectors: the
 * checked-in bytes, made once, must still decrypt to the same plaintext with today's code.
 * UPDATE_GOLDEN=1 rewrites them (review the diff before committing it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  deserializeSenderKeyState,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  senderKeyDistribution,
  serializeSenderKeyState,
} from '../src/sender-keys';
import { ratchetDecrypt, ratchetEncrypt, startInitiatorSession, startResponderSession } from '../src/double-ratchet';
import { sha256 } from '../src/kdf';
import { SecretBytes } from '../src/secret';
import { x25519KeyPairFromPrivateKey } from '../src/x25519';

const label = (text: string) => sha256(new TextEncoder().encode(text));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

/** The stored vector, or `make()`'s result written as the new vector when absent or asked for. */
async function golden(name: string, make: () => Promise<Record<string, string>>): Promise<Record<string, string>> {
  const file = path.join(__dirname, 'golden', `${name}.json`);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI === 'true')
      throw new Error(`golden vector ${name} is missing; generate it locally and commit it`);
    writeFileSync(file, `${JSON.stringify(await make(), null, 2)}\n`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

describe('golden vectors (crypto.md §11-§12)', () => {
  it('Double Ratchet message v1: a checked-in first message still decrypts for the responder', async () => {
    const sharedSecret = () => new SecretBytes(label('OpenDescent golden ratchet SK'), 'SK');
    const associatedData = label('OpenDescent golden ratchet AD');
    const bobRatchet = await x25519KeyPairFromPrivateKey(label('OpenDescent golden ratchet responder key'));
    const vector = await golden('ratchet-message-v1', async () => {
      const alice = await startInitiatorSession({
        sharedSecret: sharedSecret(),
        associatedData,
        remoteRatchetKey: bobRatchet.publicKey,
      });
      const { message } = ratchetEncrypt(alice, new TextEncoder().encode('golden message one'));
      return {
        description: 'crypto.md §11: a first ratchet message to the responder, version 1',
        plaintext: 'golden message one',
        message: hex(message),
      };
    });
    const bob = startResponderSession({ sharedSecret: sharedSecret(), associatedData, ratchetKeyPair: bobRatchet });
    const { plaintext } = await ratchetDecrypt(bob, fromHex(vector.message as string));
    expect(new TextDecoder().decode(plaintext)).toBe(vector.plaintext);
  });

  it('Sender Key state record, distribution message and group message v1', async () => {
    const record = Uint8Array.of(
      0x01, // version
      0x01, // sender record
      ...label('OpenDescent golden distribution id').subarray(0, 16),
      0,
      0,
      0,
      1, // chain id
      0,
      0,
      0,
      0, // iteration
      ...label('OpenDescent golden sender chain key'),
      ...label('OpenDescent golden sender signing seed'),
    );
    const sender = await deserializeSenderKeyState(record);
    expect(serializeSenderKeyState(sender).exposeBytes()).toEqual(record);
    const vector = await golden('sender-key-v1', async () => {
      const { message } = await groupEncrypt(sender, new TextEncoder().encode('golden group message'));
      return {
        description:
          'crypto.md §12: the distribution message of a label-derived sender key, and one group message under it, version 1',
        distribution: hex(senderKeyDistribution(sender).exposeBytes()),
        plaintext: 'golden group message',
        message: hex(message),
      };
    });
    expect(hex(senderKeyDistribution(sender).exposeBytes())).toBe(vector.distribution);
    const receiver = processSenderKeyDistribution(fromHex(vector.distribution as string));
    const { plaintext } = await groupDecrypt(receiver, fromHex(vector.message as string));
    expect(new TextDecoder().decode(plaintext)).toBe(vector.plaintext);
  });
});
