import { useEffect, useState } from 'react';
import type { ThisDeviceView } from '../../messenger/api';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { createPasskey, passkeysOffered, sendPrfOutput } from '../passkey';

/**
 * Turns passkey unlock on or off for this device (storage.md §2.1). The passkey is made here, on
 * the page; the worker only receives its PRF output, which wraps the vault key.
 */
export function PasskeyDialog({ device, onClose }: { device: ThisDeviceView; onClose: () => void }) {
  const { t } = useI18n();
  const { api, snapshot, refresh } = useMessenger();
  const action = useAction();
  const [offered, setOffered] = useState<boolean | undefined>();
  const [done, setDone] = useState<'enabled' | 'disabled' | undefined>();

  useEffect(() => {
    let current = true;
    void passkeysOffered().then((value) => current && setOffered(value));
    return () => {
      current = false;
    };
  }, []);

  const enable = async () => {
    setDone(undefined);
    const result = await action.run(async () => {
      const passkey = await createPasskey({ name: device.address, displayName: device.displayName || device.address });
      await sendPrfOutput(passkey.prfOutput, (output) =>
        api.enablePasskey(passkey.credentialId, passkey.prfSalt, output),
      );
    });
    if (result.ok) {
      setDone('enabled');
      await refresh();
    }
  };

  const disable = async () => {
    setDone(undefined);
    const result = await action.run(() => api.disablePasskey());
    if (result.ok) {
      setDone('disabled');
      await refresh();
    }
  };

  return (
    <Dialog title={t('passkey.title')} onClose={onClose} testId="passkey-dialog">
      <p className="hint">{t('passkey.body')}</p>
      {done && (
        <p className="notice" role="status" data-testid="passkey-status" data-state={done}>
          <Icon name="check" />
          <span>{t(done === 'enabled' ? 'passkey.enabled-now' : 'passkey.disabled-now')}</span>
        </p>
      )}
      <ErrorMessage error={action.error} />
      {snapshot.passkey ? (
        <>
          {!done && <p data-testid="passkey-enabled">{t('passkey.enabled')}</p>}
          <button
            type="button"
            className="button"
            data-testid="disable-passkey"
            onClick={() => void disable()}
            disabled={action.busy}
          >
            {action.busy ? t('common.working') : t('passkey.disable')}
          </button>
        </>
      ) : offered === false ? (
        <p data-testid="passkey-unavailable">{t('passkey.unavailable')}</p>
      ) : (
        <button
          type="button"
          className="button primary"
          data-testid="enable-passkey"
          data-autofocus
          onClick={() => void enable()}
          disabled={action.busy || offered === undefined}
        >
          <Icon name="key" />
          {action.busy ? t('common.working') : t('passkey.enable')}
        </button>
      )}
    </Dialog>
  );
}
