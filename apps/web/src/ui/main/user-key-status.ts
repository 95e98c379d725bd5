/**
 * What a conversation's members' user keys say (user-keys.md §2.5), for the banners and labels
 * that show it: whose key changed and waits for this user's acceptance, and which devices their
 * person's key did not approve (those are sent nothing).
 */
import type { ContactDeviceView, ConversationView, MemberView } from '../../messenger/api';

/** Other people in the conversation whose user key changed and is not accepted yet. */
export function membersWithChangedUserKey(conversation: ConversationView): MemberView[] {
  return conversation.members.filter((member) => !member.isSelf && member.userKeyChanged === true);
}

/** A member's devices that their user key did not approve. */
export function unapprovedDevices(member: MemberView): ContactDeviceView[] {
  return member.devices.filter((device) => !device.approved);
}

/**
 * The conversation lists this device of `address` as not approved by its person. A device it
 * does not list is not called unapproved: the label says something, so it needs the worker's word.
 */
export function isUnapprovedDevice(conversation: ConversationView, address: string, deviceId: string): boolean {
  const member = conversation.members.find((candidate) => candidate.address.toLowerCase() === address.toLowerCase());
  return member?.devices.some((device) => device.deviceId === deviceId && !device.approved) === true;
}
