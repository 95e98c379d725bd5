import { useI18n } from '../i18n-context';
import type { UiError } from '../messenger-context';
import { Icon } from './icon';

/** An error for people, announced by screen readers as it appears. */
export function ErrorMessage({ error, id }: { error: UiError | undefined; id?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="error" role="alert" id={id} data-testid="error-message" data-error={error.key}>
      <Icon name="alert" />
      <span>{t.unchecked(error.key, error.params)}</span>
    </p>
  );
}
