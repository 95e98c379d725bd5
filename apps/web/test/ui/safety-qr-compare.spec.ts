/**
 * Comparing a QR code read from the other person's screen (src/ui/main/safety-qr-compare.ts),
 * against the fake messenger and, for the length limit, over the real RPC: a match verifies the
 * person, a mismatch or a code that is not a safety QR code leaves them as they were, and what
 * cannot be one never reaches the worker.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { MessengerEvent } from '../../src/messenger/api';
import { compareSafetyQr, MAX_SAFETY_QR_INPUT } from '../../src/ui/main/safety-qr-compare';
import { createMessengerRpcClient, serveMessengerApi, type RpcPort } from '../../src/worker/rpc';
import { FAKE_LINK_QR, FAKE_SAFETY_QR_MATCH, FakeMessenger } from './fake-messenger';

const ALEX = 'alex@example.org';

async function enrolled(options: { safetyQrMatch?: string } = {}) {
  const events: MessengerEvent[] = [];
  const fake = new FakeMessenger((event) => events.push(event), options);
  await fake.createVault('correct horse battery');
  await fake.enrol('ABCD-EFGH-JKMN-PQRS-TVWX-YZ23');
  const conversationId = await fake.startDirect(ALEX);
  events.length = 0;
  const alex = async () => (await fake.safetyNumbers(conversationId))[0];
  return { fake, events, alex };
}

describe('comparing the QR code on their screen', () => {
  it('their code: a match, and the worker marked them verified', async () => {
    const { fake, alex } = await enrolled();
    expect(await compareSafetyQr(fake, ALEX, FAKE_SAFETY_QR_MATCH)).toEqual({ kind: 'match' });
    expect((await alex())?.verified).toBe(true);
  });

  it('reads the text as scanned, spaces around it aside', async () => {
    const { fake } = await enrolled({ safetyQrMatch: `${FAKE_SAFETY_QR_MATCH.slice(0, -1)}X` });
    const verify = jest.spyOn(fake, 'verifySafetyQr');
    expect(await compareSafetyQr(fake, ALEX, `  ${FAKE_SAFETY_QR_MATCH.slice(0, -1)}X\n`)).toEqual({ kind: 'match' });
    expect(verify).toHaveBeenCalledWith(ALEX, `${FAKE_SAFETY_QR_MATCH.slice(0, -1)}X`);
  });

  it('our own code read back: a mismatch, nothing marked, nothing announced', async () => {
    const { fake, events, alex } = await enrolled();
    const own = (await alex())?.qrPayload ?? '';
    expect(own).toMatch(/^opendescent:verify\?/);
    expect(await compareSafetyQr(fake, ALEX, own)).toEqual({ kind: 'mismatch' });
    expect((await alex())?.verified).toBe(false);
    expect(events).toEqual([]);
  });

  it('a QR code of another kind (a device link): safety_qr_invalid, nothing marked', async () => {
    const { fake, alex } = await enrolled();
    expect(await compareSafetyQr(fake, ALEX, FAKE_LINK_QR)).toEqual({
      kind: 'error',
      error: { key: 'error.safety_qr_invalid' },
    });
    expect((await alex())?.verified).toBe(false);
  });

  it.each([undefined, '', '  \n'])('no QR code found (%p): says so without asking the worker', async (text) => {
    const { fake } = await enrolled();
    const verify = jest.spyOn(fake, 'verifySafetyQr');
    expect(await compareSafetyQr(fake, ALEX, text)).toEqual({ kind: 'error', error: { key: 'safety.qr-none' } });
    expect(verify).not.toHaveBeenCalled();
  });

  it('a text longer than any safety QR code: safety_qr_invalid without asking the worker', async () => {
    const { fake } = await enrolled();
    const verify = jest.spyOn(fake, 'verifySafetyQr');
    const text = `opendescent:verify?v=2&q=${'A'.repeat(MAX_SAFETY_QR_INPUT)}`;
    expect(await compareSafetyQr(fake, ALEX, text)).toEqual({
      kind: 'error',
      error: { key: 'error.safety_qr_invalid' },
    });
    expect(verify).not.toHaveBeenCalled();
  });

  it('a person without a safety number yet: the worker’s not_found', async () => {
    const { fake } = await enrolled();
    fake.withoutUserKey(ALEX);
    expect(await compareSafetyQr(fake, ALEX, FAKE_SAFETY_QR_MATCH)).toEqual({
      kind: 'error',
      error: { key: 'error.not_found' },
    });
  });

  it('the longest text it sends passes the worker’s argument check (the same limit on both sides)', async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const { fake } = await enrolled();
      serveMessengerApi(port2 as RpcPort & MessagePort, fake);
      const client = createMessengerRpcClient(port1 as RpcPort & MessagePort);
      const longest = `opendescent:verify?v=2&q=${'A'.repeat(MAX_SAFETY_QR_INPUT - 25)}`;
      expect(longest).toHaveLength(MAX_SAFETY_QR_INPUT);
      // Answered by the messenger (a mismatch), not refused as malformed (`internal`).
      expect(await compareSafetyQr(client.api, ALEX, longest)).toEqual({ kind: 'mismatch' });
    } finally {
      port1.close();
      port2.close();
    }
  });
});
