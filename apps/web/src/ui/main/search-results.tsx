import type { KeyboardEvent } from 'react';
import type { ConversationView, SearchResultView } from '../../messenger/api';
import { useI18n } from '../i18n-context';
import { resultHeading } from './search-format';
import { highlightSnippet } from './search-text';

/** ArrowUp / ArrowDown, Home / End move between the results' buttons (Tab still walks them too). */
function moveFocus(event: KeyboardEvent<HTMLUListElement>): void {
  const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[data-testid="search-result"]')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next =
    event.key === 'ArrowDown'
      ? Math.min(at + 1, buttons.length - 1)
      : event.key === 'ArrowUp'
        ? Math.max(at - 1, 0)
        : event.key === 'Home'
          ? 0
          : event.key === 'End'
            ? buttons.length - 1
            : undefined;
  if (next === undefined || at < 0) return;
  event.preventDefault();
  buttons[next]?.focus();
}

function Snippet({ result }: { result: SearchResultView }) {
  return (
    <span className="search-snippet">
      {highlightSnippet(result.snippet, result.matches).map((part, index) =>
        part.hit ? <mark key={index}>{part.text}</mark> : part.text,
      )}
    </span>
  );
}

/** The messages found, in the worker's order (relevance, then newest); each opens its conversation there. */
export function SearchResults({
  results,
  conversations,
  onOpen,
}: {
  results: readonly SearchResultView[];
  conversations: readonly ConversationView[];
  onOpen: (result: SearchResultView) => void;
}) {
  const { t, formatDateTime } = useI18n();
  if (results.length === 0) {
    return (
      <p className="empty-list" data-testid="search-none">
        {t('search.none')}
      </p>
    );
  }
  return (
    <ul className="search-results" data-testid="search-results" aria-label={t('search.results')} onKeyDown={moveFocus}>
      {results.map((result) => {
        const heading = resultHeading(result, conversations);
        const sender = heading.mine ? t('search.you') : heading.sender;
        return (
          <li key={`${result.conversationId}/${result.messageId}`}>
            <button
              type="button"
              className="search-result"
              data-testid="search-result"
              data-conversation-id={result.conversationId}
              data-message-id={result.messageId}
              onClick={() => onOpen(result)}
            >
              <span className="search-result-top">
                <span className="search-result-title">{heading.title ?? t('search.unknown-conversation')}</span>
                <time dateTime={new Date(result.sentAt).toISOString()}>{formatDateTime(result.sentAt)}</time>
              </span>
              {sender !== undefined && <span className="search-result-sender">{sender}</span>}
              <Snippet result={result} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
