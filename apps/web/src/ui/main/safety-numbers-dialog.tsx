import { useCallback, useEffect, useState } from 'react';
import type { ConversationView, SafetyNumberView } from '../../messenger/api';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useAction, useMessenger, type UiError } from '../messenger-context';
import { SafetyNumberCard } from './safety-number-card';

// Also exported from here: the device-link panel reads its QR image through the dialog's module.
export { svgDataUrl } from './safety-number-card';

/** One safety number per other person in the conversation (user-keys.md §5), to compare in person or by scanning. */
export function SafetyNumbersDialog({
  conversation,
  onClose,
}: {
  conversation: ConversationView;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const verify = useAction();
  const [views, setViews] = useState<readonly SafetyNumberView[] | undefined>();
  const [loadError, setLoadError] = useState<UiError | undefined>();

  const load = useCallback(async () => {
    try {
      setViews(await api.safetyNumbers(conversation.id));
    } catch (caught) {
      setLoadError(uiErrorFrom(caught));
    }
  }, [api, conversation.id]);

  useEffect(() => {
    void load();
  }, [load]);

  // A person's state is in both places: their card here, and the banners and members of the snapshot.
  const reload = useCallback(async () => {
    await Promise.all([load(), refresh()]);
  }, [load, refresh]);

  const markVerified = async (address: string) => {
    const result = await verify.run(() => api.markVerified(address));
    if (result.ok) await reload();
  };

  return (
    <Dialog title={t('safety.title')} onClose={onClose} testId="safety-numbers-dialog">
      <p className="hint">{t('safety.body')}</p>
      <ErrorMessage error={loadError ?? verify.error} />
      {!views && !loadError && <p role="status">{t('safety.loading')}</p>}
      {views?.length === 0 && <p>{t('safety.none')}</p>}
      {views?.map((view) => (
        <SafetyNumberCard
          key={view.address}
          view={view}
          conversation={conversation}
          onMarkVerified={(address) => void markVerified(address)}
          onChanged={reload}
          busy={verify.busy}
        />
      ))}
    </Dialog>
  );
}
