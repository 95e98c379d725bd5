/**
 * The fake messenger plays safety numbers as the contract says (api.ts, user-keys.md §5), so UI
 * tests built on it see what the worker would show: one number per person whatever their devices,
 * none before a user key is pinned, a person verified as a whole, and sending held while a verified
 * person's new key waits for acceptance (`key_change_unaccepted`).
 */
import type { ConversationView } from '../../src/messenger/api';
import { FAKE_GHOST_DEVICE_ID, FAKE_SAFETY_QR_MATCH, FakeMessenger } from './fake-messenger';

const ALEX = 'alex@example.org';

async function enrolled() {
  const fake = new FakeMessenger(() => undefined);
  await fake.createVault('correct horse battery');
  await fake.enrol('ABCD-EFGH-JKMN-PQRS-TVWX-YZ23');
  const conversationId = await fake.startDirect(ALEX);
  const alex = async () => {
    const [view] = await fake.safetyNumbers(conversationId);
    if (!view) throw new Error('no safety number listed');
    return view;
  };
  const member = async () =>
    (await fake.snapshot()).conversations
      .find((c: ConversationView) => c.id === conversationId)
      ?.members.find((candidate) => candidate.address === ALEX);
  return { fake, conversationId, alex, member };
}

describe('the fake messenger’s safety numbers', () => {
  it('one per person: a device added to them changes the list of devices, not the number', async () => {
    const { fake, alex } = await enrolled();
    const before = await alex();
    expect(before.digits.replace(/\D/g, '')).toMatch(/^\d{60}$/);
    expect(before).toMatchObject({ address: ALEX, verified: false, userKeyChanged: false });
    fake.addUnapprovedDevice(ALEX);
    const after = await alex();
    expect(after.digits).toBe(before.digits);
    expect(after.devices).toContainEqual({ deviceId: FAKE_GHOST_DEVICE_ID, trust: 'unverified', approved: false });
  });

  it('markVerified marks the person, in the safety numbers and among the members', async () => {
    const { fake, alex, member } = await enrolled();
    await fake.markVerified(ALEX);
    expect((await alex()).verified).toBe(true);
    expect((await member())?.verified).toBe(true);
  });

  it('no user key pinned: no number, no QR code, and nothing to mark or compare (not_found)', async () => {
    const { fake, alex } = await enrolled();
    fake.withoutUserKey(ALEX);
    expect(await alex()).toMatchObject({ digits: '', qrPayload: '', qrSvg: '', verified: false });
    await expect(fake.markVerified(ALEX)).rejects.toMatchObject({ code: 'not_found' });
    await expect(fake.verifySafetyQr(ALEX, FAKE_SAFETY_QR_MATCH)).rejects.toMatchObject({ code: 'not_found' });
    await expect(fake.markVerified('nobody@example.org')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a verified person’s key change holds sending until accepted; accepting gives a new number, not verified', async () => {
    const { fake, conversationId, alex } = await enrolled();
    await fake.markVerified(ALEX);
    const verifiedNumber = (await alex()).digits;
    fake.changeUserKey(ALEX);
    expect(await alex()).toMatchObject({ verified: true, userKeyChanged: true, digits: verifiedNumber });
    const count = (await fake.messages(conversationId)).length;
    await expect(fake.send(conversationId, 'hello')).rejects.toMatchObject({ code: 'key_change_unaccepted' });
    expect(await fake.messages(conversationId)).toHaveLength(count);

    await fake.acceptUserKey(ALEX);
    const accepted = await alex();
    expect(accepted).toMatchObject({ verified: false, userKeyChanged: false });
    expect(accepted.digits).not.toBe(verifiedNumber);
    await expect(fake.send(conversationId, 'hello')).resolves.toMatch(/^m/);
  });

  it('an unverified person’s key change does not hold sending', async () => {
    const { fake, conversationId } = await enrolled();
    fake.changeUserKey(ALEX);
    await expect(fake.send(conversationId, 'hello')).resolves.toMatch(/^m/);
  });

  it('reading their QR code: the configured text matches, anything else is a mismatch or safety_qr_invalid', async () => {
    const { fake, alex } = await enrolled();
    await expect(fake.verifySafetyQr(ALEX, (await alex()).qrPayload)).resolves.toBe(false);
    await expect(fake.verifySafetyQr(ALEX, 'opendescent:verify?v=2&q=')).rejects.toMatchObject({
      code: 'safety_qr_invalid',
    });
    await expect(fake.verifySafetyQr(ALEX, 'hello')).rejects.toMatchObject({ code: 'safety_qr_invalid' });
    expect((await alex()).verified).toBe(false);
    await expect(fake.verifySafetyQr(ALEX, FAKE_SAFETY_QR_MATCH)).resolves.toBe(true);
    expect((await alex()).verified).toBe(true);
  });
});
