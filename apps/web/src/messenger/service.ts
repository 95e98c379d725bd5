import { utf8Decode, utf8Encode } from '@opendescent/crypto';
import { AdminClient, AdminRequestError } from '../net/admin-client';
import { decodeBase64Url, encodeBase64Url } from '@opendescent/protocol';
import { RelayClient, RelayRequestError } from '@opendescent/relay-client';
import {
  IndexedDbRecordStore,
  Vault,
  isVaultError,
  type PasskeyInfo,
  type RecordStore,
  type VaultOptions,
} from '../store';
import type {
  ClientSnapshot,
  MessageCursor,
  MessengerApi,
  GroupRoleView,
  GroupSettingsInput,
  MessengerErrorShape,
  MessengerEvent,
  NotifyLevel,
  PreferencesView,
  WipedView,
} from './api';
import type { TextOptions } from './sending';
import { MessengerError } from './errors';
import { Messenger } from './messenger';
import type { AdminPort, MessengerEnvironment, RelayFactory, Tamper } from './ports';

/**
 * The worker's service: the vault's life cycle (create, unlock, lock, wipe) around one Messenger,
 * and the translation of every failure into a MessengerErrorShape the UI can show. Nothing here
 * holds a key the Messenger or the Vault does not already hold.
 */
export interface MessengerConfig {
  relayUrls: string[];
  adminUrl: string;
  revocationPollSeconds: number;
  /** How often the transparency log is checked (log-monitor.ts); default LOG_CHECK_MS. */
  logCheckSeconds?: number;
  /** How often this person's own devices are looked up for one the user key did not approve (tests; default 10 min). */
  ownDevicesCheckSeconds?: number;
}

export interface ServiceDependencies {
  readonly openStore: () => Promise<RecordStore>;
  readonly admin: (adminUrl: string) => AdminPort;
  readonly relayFactory: RelayFactory;
  readonly now: () => number;
  /** Tests pass cheaper Argon2id parameters; the browser uses the defaults (crypto.md §8). */
  readonly vaultOptions?: VaultOptions;
  /** Tests only: a tampering member (ports.ts Tamper); the browser never sets it. */
  readonly tamper?: Tamper;
  /** The page's peer connections (the worker's bridge to them, or a test's fake network). */
  readonly direct?: MessengerEnvironment['direct'];
  /** Tests only: shorter timeouts for direct channels. */
  readonly directTiming?: MessengerEnvironment['directTiming'];
  /** Tests only: received files up to this size are fetched on arrival. */
  readonly autoDownloadBytes?: number;
}

/** Clear-text marker left after a revocation wipe: the reason, no secret (the vault is gone). */
const WIPED_KEY = 'meta:wiped';
const DATABASE_NAME = 'opendescent';

export function browserDependencies(): ServiceDependencies {
  return {
    openStore: () => IndexedDbRecordStore.open(DATABASE_NAME),
    admin: (adminUrl) => new AdminClient(adminUrl),
    relayFactory: (url, credentials) => new RelayClient({ url, credentials }),
    now: () => Date.now(),
  };
}

export function createMessengerService(
  config: MessengerConfig,
  emit: (event: MessengerEvent) => void,
  dependencies: ServiceDependencies = browserDependencies(),
): MessengerApi {
  let store: RecordStore | undefined;
  let vault: Vault | undefined;
  let messenger: Messenger | undefined;
  let snapshotQueued = false;

  const openStore = async (): Promise<RecordStore> => (store ??= await dependencies.openStore());

  const environment = (adminUrl = config.adminUrl): MessengerEnvironment => ({
    relayUrls: config.relayUrls,
    admin: dependencies.admin(adminUrl),
    relayFactory: dependencies.relayFactory,
    now: dependencies.now,
    revocationPollMs: config.revocationPollSeconds * 1000,
    ...(config.logCheckSeconds !== undefined ? { logCheckMs: config.logCheckSeconds * 1000 } : {}),
    ...(config.ownDevicesCheckSeconds !== undefined ? { ownDevicesCheckMs: config.ownDevicesCheckSeconds * 1000 } : {}),
    ...(dependencies.tamper ? { tamper: dependencies.tamper } : {}),
    ...(dependencies.direct ? { direct: dependencies.direct } : {}),
    ...(dependencies.directTiming ? { directTiming: dependencies.directTiming } : {}),
    ...(dependencies.autoDownloadBytes !== undefined ? { autoDownloadBytes: dependencies.autoDownloadBytes } : {}),
  });

  const wipedView = async (): Promise<WipedView | undefined> => {
    const raw = await (await openStore()).get(WIPED_KEY);
    return raw ? (JSON.parse(utf8Decode(raw)) as WipedView) : undefined;
  };

  /**
   * The clear-text facts of the store (a vault exists, its passkey, a wipe's reason), read once and
   * again only after this service changed them: a snapshot goes out on every change, and these
   * three IndexedDB reads need not.
   */
  let storeFacts: Promise<{ exists: boolean; wiped?: WipedView; passkey?: ClientSnapshot['passkey'] }> | undefined;
  const readStoreFacts = async () => {
    const [exists, wiped] = [await Vault.exists(await openStore()), await wipedView()];
    const passkey = exists ? await storedPasskey() : undefined;
    return { exists, ...(wiped ? { wiped } : {}), ...(passkey ? { passkey } : {}) };
  };
  const storeChanged = (): void => {
    storeFacts = undefined;
  };

  const snapshot = async (): Promise<ClientSnapshot> => {
    storeFacts ??= readStoreFacts();
    const facts = await storeFacts.catch((error: unknown) => {
      storeFacts = undefined;
      throw error;
    });
    const state = vault ? 'unlocked' : facts.exists ? 'locked' : 'none';
    const rest = messenger?.snapshot() ?? {
      relays: config.relayUrls.map((url) => ({ url, status: 'offline' as const })),
      conversations: [],
      pendingOutgoing: 0,
    };
    // Not cached with the facts: it changes with every wrong passphrase, and runs out with time.
    const retryAt =
      state === 'locked' ? (await Vault.unlockBackoff(await openStore(), dependencies.now()))?.retryAt : undefined;
    return {
      vault: state,
      ...rest,
      ...(facts.wiped ? { wiped: facts.wiped } : {}),
      ...(facts.passkey ? { passkey: facts.passkey } : {}),
      ...(retryAt !== undefined ? { unlockRetryAt: retryAt } : {}),
    };
  };

  /** The passkey the UI may offer (public values). One this client cannot read is not offered: the passphrase still works. */
  const storedPasskey = async (): Promise<ClientSnapshot['passkey']> => {
    let info: PasskeyInfo | undefined;
    try {
      info = await Vault.passkeyInfo(await openStore());
    } catch (error) {
      if (isVaultError(error, 'corrupt_record') || isVaultError(error, 'unsupported_version')) return undefined;
      throw error;
    }
    return info && { credentialId: encodeBase64Url(info.credentialId), prfSalt: encodeBase64Url(info.prfSalt) };
  };

  const queueSnapshot = (): void => {
    if (snapshotQueued) return;
    snapshotQueued = true;
    queueMicrotask(() => {
      snapshotQueued = false;
      void snapshot().then((value) => emit({ type: 'snapshot', snapshot: value }));
    });
  };

  /** The admin app revoked this device: every key and record goes, the reason stays (issue: revocation). */
  const wipeForRevocation = async (reason: string): Promise<void> => {
    messenger = undefined;
    const current = vault;
    vault = undefined;
    await current?.wipe();
    const raw = await openStore();
    await raw.apply([
      { key: WIPED_KEY, value: utf8Encode(JSON.stringify({ reason, at: dependencies.now() } satisfies WipedView)) },
    ]);
    storeChanged();
    queueSnapshot();
  };

  const start = async (opened: Vault, adminUrl?: string): Promise<void> => {
    vault = opened;
    messenger = await Messenger.open(
      opened,
      environment(adminUrl),
      (event) => (event.type === 'snapshot' ? queueSnapshot() : emit(event)),
      wipeForRevocation,
    );
    queueSnapshot();
  };

  const running = (): Messenger => {
    if (!messenger) throw new MessengerError('locked', 'unlock this device first');
    return messenger;
  };

  const guard =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await work(...args);
      } catch (error) {
        throw toErrorShape(error);
      }
    };

  return {
    snapshot: guard(snapshot),
    createVault: guard(async (passphrase: string) => {
      const raw = await openStore();
      await raw.apply([{ key: WIPED_KEY, value: null }]);
      const created = await Vault.create(raw, passphrase, dependencies.vaultOptions ?? {});
      storeChanged();
      await start(created);
    }),
    unlock: guard(async (passphrase: string) => {
      if (vault) return;
      // The back-off runs on the service's clock; an upgraded header takes the configured costs (storage.md §2.2, §5).
      await start(
        await Vault.unlock(await openStore(), passphrase, { ...dependencies.vaultOptions, now: dependencies.now }),
      );
    }),
    lock: guard(async () => {
      messenger?.stop();
      messenger = undefined;
      vault?.lock();
      vault = undefined;
      queueSnapshot();
    }),
    enrol: guard(async (code: string, adminUrl?: string) => {
      const current = running();
      if (adminUrl && adminUrl !== config.adminUrl) {
        // A pasted enrolment link names its admin app; only this deployment's is trusted (CSP too).
        throw new MessengerError('enrolment_refused', 'that enrolment link is for another organisation’s server');
      }
      return current.enrol(code);
    }),
    startDirect: guard((address: string) => running().commands.startDirect(address)),
    createGroup: guard((title: string, addresses: readonly string[], settings?: GroupSettingsInput) =>
      running().commands.createGroup(title, addresses, settings),
    ),
    setRole: guard((id: string, address: string, role: GroupRoleView) => running().commands.setRole(id, address, role)),
    setTitle: guard((id: string, title: string) => running().commands.setTitle(id, title)),
    setGroupSettings: guard((id: string, settings: GroupSettingsInput) =>
      running().commands.setGroupSettings(id, settings),
    ),
    addMember: guard((id: string, address: string) => running().commands.addMember(id, address)),
    removeMember: guard((id: string, address: string) => running().commands.removeMember(id, address)),
    leave: guard((id: string) => running().commands.leave(id)),
    send: guard((id: string, text: string, options?: TextOptions) => running().commands.send(id, text, options)),
    react: guard((id: string, messageId: string, emoji: string | null) =>
      running().commands.react(id, messageId, emoji),
    ),
    editMessage: guard((id: string, messageId: string, text: string) =>
      running().commands.editMessage(id, messageId, text),
    ),
    deleteForEveryone: guard((id: string, messageId: string) => running().commands.deleteForEveryone(id, messageId)),
    setTyping: guard((id: string, typing: boolean) => running().commands.setTyping(id, typing)),
    setPreferences: guard((preferences: Partial<PreferencesView>) => running().commands.setPreferences(preferences)),
    setNotify: guard((id: string, level: NotifyLevel) => running().commands.setNotify(id, level)),
    sendFile: guard((id: string, file: Blob, name: string, caption?: string, options?: TextOptions) =>
      running().commands.sendFile(id, file, name, caption, options),
    ),
    cancelAttachment: guard((id: string, messageId: string) => running().attachments.cancel(id, messageId)),
    fetchAttachment: guard((id: string, messageId: string) => running().attachments.fetchNow(id, messageId)),
    openAttachment: guard((id: string, messageId: string) => running().attachments.open(id, messageId)),
    searchMessages: guard((query: string, conversationId?: string) =>
      running().searchIndex.search(query, conversationId),
    ),
    messages: guard((id: string) => running().messages(id)),
    messagePage: guard((id: string, page: { before?: MessageCursor; limit: number }) =>
      running().messagePage(id, page),
    ),
    markRead: guard((id: string) => running().commands.markRead(id)),
    setDisappearing: guard((id: string, seconds: number | null) => running().commands.setDisappearing(id, seconds)),
    safetyNumbers: guard((id: string) => running().safetyNumbers(id)),
    markVerified: guard((address: string) => running().commands.markVerified(address)),
    verifySafetyQr: guard((address: string, scanned: string) => running().commands.verifySafetyQr(address, scanned)),
    shareHistory: guard((id: string, address: string, count: number) =>
      running().commands.shareHistory(id, address, count),
    ),
    startDeviceLink: guard(() => running().deviceLink.start()),
    cancelDeviceLink: guard(async () => running().deviceLink.cancel()),
    checkDeviceLink: guard((codeOrQr: string) => running().deviceLink.check(codeOrQr)),
    approveDeviceLink: guard((codeOrQr: string) => running().approveDeviceLink(codeOrQr)),
    acceptUserKey: guard((address: string) => running().commands.acceptUserKey(address)),
    // Passkey unlock (WebAuthn PRF, storage.md §2.1): the UI runs the ceremony, this side only
    // sees the 32-byte PRF output, which is this worker's own copy and is zeroed after use.
    enablePasskey: guard(async (credentialId: string, prfSalt: string, prfOutput: Uint8Array) => {
      try {
        if (!vault) throw new MessengerError('locked', 'unlock this device first');
        let id: Uint8Array;
        let salt: Uint8Array;
        try {
          id = decodeBase64Url(credentialId);
          salt = decodeBase64Url(prfSalt, 32);
        } catch {
          throw new MessengerError('internal', 'the passkey’s credential id or salt is malformed');
        }
        await vault.addPasskey(id, salt, prfOutput);
        storeChanged();
        queueSnapshot();
      } finally {
        prfOutput.fill(0);
      }
    }),
    unlockWithPasskey: guard(async (prfOutput: Uint8Array) => {
      try {
        if (vault) return;
        await start(await Vault.unlockWithPasskey(await openStore(), prfOutput));
      } finally {
        prfOutput.fill(0);
      }
    }),
    disablePasskey: guard(async () => {
      if (!vault) throw new MessengerError('locked', 'unlock this device first');
      await vault.removePasskey();
      storeChanged();
      queueSnapshot();
    }),
    wipe: guard(async () => {
      messenger?.stop();
      messenger = undefined;
      vault = undefined;
      await (await openStore()).clear();
      storeChanged();
      queueSnapshot();
    }),
  };
}

const ENROLMENT_CODES = new Set([
  'code_invalid',
  'code_used',
  'code_cancelled',
  'code_locked',
  'code_expired',
  'key_in_use',
  'malformed',
]);

/** Every failure becomes a stable code and a message for people; never a stack or a secret. */
export function toErrorShape(error: unknown): MessengerErrorShape {
  if (error instanceof MessengerError) return { code: error.code, message: error.message };
  if (isVaultError(error)) {
    const { code: vaultCode } = error;
    const passed =
      vaultCode === 'wrong_passphrase' ||
      vaultCode === 'unlock_delayed' ||
      vaultCode === 'weak_passphrase' ||
      vaultCode === 'locked';
    const code = passed ? vaultCode : 'internal';
    return { code, message: error.message };
  }
  if (error instanceof AdminRequestError) {
    if (error.code === 'unreachable')
      return { code: 'admin_unreachable', message: 'the organisation’s server cannot be reached' };
    if (error.code === 'rate_limited') return { code: 'rate_limited', message: error.message };
    if (error.code === 'directory_suspended') return { code: 'directory_suspended', message: error.message };
    if (error.code === 'invalid_address') return { code: 'invalid_address', message: error.message };
    if (error.code === 'device_revoked') return { code: 'revoked', message: error.message };
    if (ENROLMENT_CODES.has(error.code))
      return { code: 'enrolment_refused', message: `${error.code}: ${error.message}` };
    return { code: 'internal', message: `the organisation’s server refused: ${error.code}` };
  }
  if (error instanceof RelayRequestError) {
    return { code: 'relay_unreachable', message: `the relay refused or is unreachable (${error.code})` };
  }
  return { code: 'internal', message: 'something went wrong on this device' };
}
