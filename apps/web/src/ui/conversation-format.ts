/** Small pure helpers the conversation screens share (kept out of the components to test them). */
import type { ClientSnapshot, ConversationView, MemberView, RelayView } from '../messenger/api';

export type RelaySummary = 'online' | 'connecting' | 'offline';

/** One status for all relays: online if any is, else connecting if any is, else offline. */
export function summariseRelays(relays: readonly RelayView[]): RelaySummary {
  if (relays.some((relay) => relay.status === 'online')) return 'online';
  if (relays.some((relay) => relay.status === 'connecting')) return 'connecting';
  return 'offline';
}

export type ConnectionStatus = RelaySummary | 'finishing';

/** The one status the sidebar shows: "finishing" while online but not yet reachable by colleagues. */
export function connectionStatus(relays: readonly RelayView[], reachable: boolean): ConnectionStatus {
  const summary = summariseRelays(relays);
  return summary === 'online' && !reachable ? 'finishing' : summary;
}

/** The safety number's 60 digits as 12 groups of 5 (whatever spacing the worker used). */
export function groupSafetyNumber(digits: string): string[] {
  return digits.replace(/\D/g, '').match(/.{1,5}/g) ?? [];
}

/** Addresses typed into one field, separated by new lines, commas, semicolons or spaces; duplicates dropped. */
export function splitAddresses(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[\s,;]+/)) {
    const address = part.trim();
    if (address) seen.add(address);
  }
  return [...seen];
}

/**
 * An address cut into the pieces a line may break between: before the "@" and before each "."
 * (where a reader expects a long address to continue), so it never breaks inside a word.
 */
export function addressSegments(address: string): string[] {
  return address.split(/(?=[@.])/).filter((segment) => segment !== '');
}

/** Newest activity first. */
export function sortConversations(conversations: readonly ConversationView[]): ConversationView[] {
  return [...conversations].sort((a, b) => (b.lastMessage?.at ?? b.updatedAt) - (a.lastMessage?.at ?? a.updatedAt));
}

/** The member a system line names, by address, for showing a display name. */
export function findMember(conversation: ConversationView | undefined, address: string): MemberView | undefined {
  return conversation?.members.find((member) => member.address.toLowerCase() === address.toLowerCase());
}

/** Other people in the conversation with a device whose safety number changed. */
export function membersWithChangedKeys(conversation: ConversationView): MemberView[] {
  return conversation.members.filter(
    (member) => !member.isSelf && member.devices.some((device) => device.trust === 'key_changed'),
  );
}

/** What the app shows, decided from the snapshot alone (a locked vault shows nothing else). */
export type Screen = 'wiped' | 'create-passphrase' | 'unlock' | 'enrol' | 'main';

export function screenFor(snapshot: ClientSnapshot): Screen {
  if (snapshot.wiped) return 'wiped';
  if (snapshot.vault === 'none') return 'create-passphrase';
  if (snapshot.vault === 'locked') return 'unlock';
  return snapshot.device ? 'main' : 'enrol';
}
