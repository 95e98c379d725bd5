import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import type { ConversationView, SearchResultView } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger } from '../messenger-context';
import { SearchResults } from './search-results';
import { SearchRunner, type SearchState } from './search-runner';

/** What the live region says for a state: the number found, or that search is getting ready. */
function StatusText({ state }: { state: SearchState }) {
  const { t } = useI18n();
  if (state.status === 'ready') return <>{t('search.count', { count: state.results.length })}</>;
  if (state.status === 'preparing') return <>{t('search.preparing')}</>;
  return null;
}

/**
 * The sidebar's message search (issue 15): a search field above the conversation list; while a
 * query is typed its results take the list's place (`children` is the list). Escape clears.
 */
export function SearchPanel({
  conversations,
  onOpen,
  children,
}: {
  conversations: readonly ConversationView[];
  onOpen: (result: SearchResultView) => void;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const id = useId();
  const [value, setValue] = useState('');
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  const runner = useMemo(() => new SearchRunner((query) => api.searchMessages(query), setState), [api]);
  useEffect(() => () => runner.dispose(), [runner]);

  const change = (next: string) => {
    setValue(next);
    runner.type(next);
  };
  const active = value.trim().length > 0;

  return (
    <>
      <div className="search-field" role="search">
        <label htmlFor={id} className="visually-hidden">
          {t('search.label')}
        </label>
        <input
          id={id}
          type="search"
          data-testid="search-input"
          placeholder={t('search.label')}
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(event) => change(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && value !== '') {
              event.preventDefault();
              change('');
            }
          }}
        />
      </div>
      {/* Always in the page, so screen readers hear each new count (WCAG 4.1.3). */}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="search-status">
        <StatusText state={state} />
      </p>
      {active ? (
        <nav className="sidebar-list" aria-label={t('search.results')} data-testid="search-panel">
          {state.status === 'preparing' && (
            <p className="empty-list" data-testid="search-preparing">
              {t('search.preparing')}
            </p>
          )}
          {state.status === 'failed' && <ErrorMessage error={uiErrorFrom(state.error)} />}
          {state.status === 'searching' && state.results.length === 0 && (
            <p className="empty-list">{t('search.searching')}</p>
          )}
          {(state.status === 'ready' || (state.status === 'searching' && state.results.length > 0)) && (
            <SearchResults results={state.results} conversations={conversations} onOpen={onOpen} />
          )}
        </nav>
      ) : (
        children
      )}
    </>
  );
}
