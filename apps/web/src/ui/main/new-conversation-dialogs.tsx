import { useId, useState, type FormEvent } from 'react';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { splitAddresses } from '../conversation-format';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { checkAddresses, checkGroupTitle } from '../text-limits';

const looksLikeAddress = (address: string) => /^[^\s@]+@[^\s@]+$/.test(address);

/** A direct conversation with one exact address (the directory answers exact addresses only). */
export function NewChatDialog({
  onClose,
  onStarted,
}: {
  onClose: () => void;
  onStarted: (conversationId: string) => void;
}) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [address, setAddress] = useState('');
  const ids = { address: useId(), hint: useId(), error: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const exact = address.trim();
    const tooLong = checkAddresses([exact]);
    if (tooLong) return setError(tooLong);
    if (!looksLikeAddress(exact)) return setError({ key: 'error.invalid_address' });
    const result = await run(() => api.startDirect(exact));
    if (result.ok) {
      await refresh();
      onStarted(result.value);
    }
  };

  return (
    <Dialog title={t('new-chat.title')} onClose={onClose} testId="new-chat-dialog">
      <form className="form" onSubmit={submit} noValidate autoComplete="off">
        <div className="field">
          <label htmlFor={ids.address}>{t('new-chat.address')}</label>
          <input
            id={ids.address}
            data-testid="new-chat-address"
            data-autofocus
            type="email"
            autoComplete="off"
            spellCheck={false}
            value={address}
            onChange={(event) => setAddress(event.target.value)}
            aria-describedby={`${ids.hint} ${ids.error}`}
            aria-invalid={error ? true : undefined}
            required
          />
          <p className="hint" id={ids.hint}>
            {t('new-chat.hint')}
          </p>
        </div>
        <ErrorMessage error={error} id={ids.error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button primary" data-testid="new-chat-submit" disabled={busy}>
            {busy ? t('common.working') : t('new-chat.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function NewGroupDialog({
  onClose,
  onStarted,
}: {
  onClose: () => void;
  onStarted: (conversationId: string) => void;
}) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [title, setTitle] = useState('');
  const [addresses, setAddresses] = useState('');
  const [announcementOnly, setAnnouncementOnly] = useState(false);
  const ids = { title: useId(), addresses: useId(), hint: useId(), error: useId(), announcement: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const list = splitAddresses(addresses);
    if (!title.trim()) return;
    const problem = checkGroupTitle(title) ?? checkAddresses(list);
    if (problem) return setError(problem);
    if (list.length === 0) return setError({ key: 'new-group.no-addresses' });
    if (!list.every(looksLikeAddress)) return setError({ key: 'error.invalid_address' });
    const result = await run(() => api.createGroup(title.trim(), list, { announcementOnly }));
    if (result.ok) {
      await refresh();
      onStarted(result.value);
    }
  };

  return (
    <Dialog title={t('new-group.title')} onClose={onClose} testId="new-group-dialog">
      {/* autoComplete off on the form and each field: Chromium's autofill database kept group names in plaintext. */}
      <form className="form" onSubmit={submit} noValidate autoComplete="off">
        <div className="field">
          <label htmlFor={ids.title}>{t('new-group.name')}</label>
          <input
            id={ids.title}
            data-testid="new-group-title"
            data-autofocus
            type="text"
            autoComplete="off"
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            aria-describedby={ids.error}
            aria-invalid={error?.key === 'new-group.title-too-long' ? true : undefined}
            required
          />
        </div>
        <div className="field">
          <label htmlFor={ids.addresses}>{t('new-group.addresses')}</label>
          <textarea
            id={ids.addresses}
            data-testid="new-group-addresses"
            rows={4}
            autoComplete="off"
            spellCheck={false}
            value={addresses}
            onChange={(event) => setAddresses(event.target.value)}
            aria-describedby={`${ids.hint} ${ids.error}`}
            aria-invalid={error && error.key !== 'new-group.title-too-long' ? true : undefined}
          />
          <p className="hint" id={ids.hint}>
            {t('new-group.addresses-hint')}
          </p>
        </div>
        <div className="checkbox">
          <input
            id={ids.announcement}
            type="checkbox"
            data-testid="new-group-announcement"
            checked={announcementOnly}
            onChange={(event) => setAnnouncementOnly(event.target.checked)}
          />
          <label htmlFor={ids.announcement}>{t('new-group.announcement')}</label>
        </div>
        <ErrorMessage error={error} id={ids.error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="button primary"
            data-testid="new-group-submit"
            disabled={busy || !title.trim()}
          >
            {busy ? t('common.working') : t('new-group.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
