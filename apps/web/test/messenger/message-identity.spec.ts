/**
 * The upgrade path of message identity (storage.md §3.2): messages a vault stored under their plain
 * ids, before messages were keyed by sending device and id, are still found by the sender recorded
 * in them, and only by that sender.
 */
import {
  heldFromAddress,
  heldFromDevice,
  receivedKey,
  sharedCopies,
  sharedKey,
} from '../../src/messenger/message-identity';
import { TABLES, type ContactRecord, type MessageRecord } from '../../src/messenger/records';
import { Transaction } from '../../src/messenger/transaction';
import { MapVault } from './map-vault';

const CONVERSATION = 'c1';
const ID = 'a'.repeat(32);
const ALICE = { address: 'alice@agency.example', displayName: 'Alice', deviceId: 'aa01' };

function message(id: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    v: 1,
    id,
    conversationId: CONVERSATION,
    sender: ALICE,
    mine: false,
    text: 'old',
    sentAt: 1,
    receivedAt: 1,
    ...extra,
  };
}

async function withStored(...records: MessageRecord[]): Promise<Transaction> {
  const vault = new MapVault();
  const contact = { v: 1, address: ALICE.address, devices: { aa01: { deviceId: 'aa01' } } } as unknown as ContactRecord;
  const tx = new Transaction(vault, new Map([[TABLES.contacts, new Map([[ALICE.address, contact]])]]));
  for (const record of records) tx.putMessage(record);
  await tx.commit();
  return tx;
}

test('a message stored under its plain id is a duplicate only for the device that sent it', async () => {
  const tx = await withStored(message(ID));
  expect((await heldFromDevice(tx, CONVERSATION, 'aa01', ID))?.text).toBe('old');
  expect(await heldFromDevice(tx, CONVERSATION, 'bb02', ID)).toBeUndefined();
});

test('a message stored under its new key is found for its device only', async () => {
  const tx = await withStored(message(receivedKey('aa01', ID), { wireId: ID }));
  expect(await heldFromDevice(tx, CONVERSATION, 'aa01', ID)).toBeDefined();
  expect(await heldFromDevice(tx, CONVERSATION, 'bb02', ID)).toBeUndefined();
  expect(await heldFromAddress(tx, CONVERSATION, ALICE.address, ID)).toBe(true);
  expect(await heldFromAddress(tx, CONVERSATION, 'mallory@agency.example', ID)).toBe(false);
});

test('bundle copies, old and new, are held for their sender and give way to the real message', async () => {
  const old = message(ID, { sharedBy: 'bob@agency.example', sender: { ...ALICE, deviceId: '' } });
  const copy = message(sharedKey(ALICE.address, 'b'.repeat(32)), {
    sharedBy: 'bob@agency.example',
    wireId: 'b'.repeat(32),
  });
  const tx = await withStored(old, copy);
  // An old plain-id copy is not a message its device sent: it does not make the real one a duplicate.
  expect(await heldFromDevice(tx, CONVERSATION, 'aa01', ID)).toBeUndefined();
  expect((await sharedCopies(tx, CONVERSATION, ALICE.address, ID)).map((m) => m.id)).toEqual([ID]);
  expect((await sharedCopies(tx, CONVERSATION, ALICE.address, 'b'.repeat(32))).map((m) => m.id)).toEqual([copy.id]);
  expect(await sharedCopies(tx, CONVERSATION, 'mallory@agency.example', ID)).toEqual([]);
  expect(await heldFromAddress(tx, CONVERSATION, ALICE.address, 'b'.repeat(32))).toBe(true);
});
