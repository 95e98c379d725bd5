/**
 * The fake messenger's directory: the colleagues it knows, their devices and what their user key
 * says about each (user-keys.md §2.5), this user's own device, and how each is shown to the UI.
 */
import type { DeviceTrust, MemberView, ThisDeviceView } from '../../src/messenger/api';

/**
 * Which user key certified a device: the one this user pinned (approved), a changed one not
 * accepted yet, one replaced by an accepted change, or none (a device the admin app added
 * without its person). Only `pinned` is approved: the others are sent nothing.
 */
export type FakeDeviceKey = 'pinned' | 'changed' | 'replaced' | 'none';

export interface FakeDevice {
  readonly deviceId: string;
  trust: DeviceTrust;
  key: FakeDeviceKey;
}

export interface FakePerson {
  readonly address: string;
  readonly displayName: string;
  /** The first is the device the person started with. */
  readonly devices: FakeDevice[];
  /** Their user key changed and this user has not accepted the new one yet. */
  userKeyChanged: boolean;
  /** This user verified them (safety number) under the pinned user key; accepting a new key clears it. */
  verified: boolean;
  /** How many times this user accepted a new user key of theirs: the safety number changes with it. */
  keyGeneration: number;
}

/** A device the admin app added to a colleague's address without their approval (the default for the control). */
export const FAKE_GHOST_DEVICE_ID = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
/** The device a colleague starts again on under a new user key (the default for the control). */
export const FAKE_NEW_KEY_DEVICE_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

const PEOPLE: readonly { address: string; displayName: string; deviceId: string }[] = [
  { address: 'alex@example.org', displayName: 'Alex Martin', deviceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' },
  { address: 'sam@example.org', displayName: 'Sam Dubois', deviceId: 'b2c3d4e5f60718293a4b5c6d7e8f90a1' },
  { address: 'kim@example.org', displayName: 'Kim Laurent', deviceId: 'c3d4e5f60718293a4b5c6d7e8f90a1b2' },
  { address: 'noor@example.org', displayName: 'Noor Haddad', deviceId: 'd4e5f60718293a4b5c6d7e8f90a1b2c3' },
];

/** Addresses the fake directory knows but who have no device (`no_devices`). */
export const WITHOUT_DEVICES: ReadonlySet<string> = new Set(['new.hire@example.org']);

/** A fresh directory: everyone on one approved, unverified device. */
export function fakeDirectory(): Map<string, FakePerson> {
  return new Map(
    PEOPLE.map(({ address, displayName, deviceId }) => [
      address,
      {
        address,
        displayName,
        devices: [{ deviceId, trust: 'unverified', key: 'pinned' }],
        userKeyChanged: false,
        verified: false,
        keyGeneration: 0,
      },
    ]),
  );
}

/** This user's device right after enrolment. */
export function fakeThisDevice(now: number, approval: ThisDeviceView['approval']): ThisDeviceView {
  return {
    address: 'me@example.org',
    displayName: 'Dominique Roy',
    deviceId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
    attestationExpiresAt: now + 7 * 86_400_000,
    orgId: '00112233445566778899aabbccddeeff',
    reachable: true,
    approval,
    unapprovedOwnDevices: [],
  };
}

/** The device a message of theirs comes from: an approved one, else the first. */
export function sendingDevice(person: FakePerson): FakeDevice {
  const device = person.devices.find((candidate) => candidate.key === 'pinned') ?? person.devices[0];
  if (!device) throw new Error(`${person.address} has no device`);
  return device;
}

export function selfMemberView(device: ThisDeviceView): MemberView {
  return {
    address: device.address,
    displayName: device.displayName,
    devices: [{ deviceId: device.deviceId, trust: 'verified', approved: true }],
    isSelf: true,
  };
}

export function memberView(person: FakePerson): MemberView {
  return {
    address: person.address,
    displayName: person.displayName,
    devices: person.devices.map(({ deviceId, trust, key }) => ({ deviceId, trust, approved: key === 'pinned' })),
    isSelf: false,
    ...(person.userKeyChanged ? { userKeyChanged: true } : {}),
    ...(person.verified ? { verified: true } : {}),
  };
}

/** This user holds a user key of theirs: one of their devices was certified by it (user-keys.md §2.5). */
export const hasPinnedUserKey = (person: FakePerson): boolean =>
  person.devices.some((device) => device.key === 'pinned');
