import Head from 'next/head';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ClientSnapshot, MessengerEvent } from '../messenger/api';
import type { MessengerConfig } from '../messenger/service';
import { missingCapabilities, type Capability } from './capabilities';
import { screenFor } from './conversation-format';
import { I18nProvider, useI18n } from './i18n-context';
import { MainScreen } from './main/main-screen';
import { startMessenger, type MessengerClient } from './messenger-client';
import { MessengerContext, type MessengerContextValue } from './messenger-context';
import { pageTitle, type TitledScreen } from './page-title';
import { CreatePassphrase } from './screens/create-passphrase';
import { Enrol } from './screens/enrol';
import { Failed, Loading, OtherTab, Unsupported } from './screens/status-screens';
import { Unlock } from './screens/unlock';
import { Wiped } from './screens/wiped';
import { holdMessengerLock } from './tab-lock';

type Phase =
  | { readonly kind: 'starting' }
  | { readonly kind: 'unsupported'; readonly missing: readonly Capability[] }
  | { readonly kind: 'other-tab' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'running'; readonly client: MessengerClient };

/**
 * Starts the messenger worker once this tab holds the messenger lock, and keeps its latest
 * snapshot. Everything the UI shows comes from that snapshot and the worker's answers.
 */
function useMessengerWorker(config: MessengerConfig) {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [snapshot, setSnapshot] = useState<ClientSnapshot | undefined>();

  useEffect(() => {
    let stopped = false;
    let client: MessengerClient | undefined;
    let releaseLock = () => undefined as void;
    const cleanups: (() => void)[] = [];

    const start = () => {
      if (stopped) return;
      const started = startMessenger(config);
      client = started;
      let sawEvent = false;
      cleanups.push(
        started.onFailure(() => !stopped && setPhase({ kind: 'failed' })),
        started.subscribe((event: MessengerEvent) => {
          if (event.type !== 'snapshot' || stopped) return;
          sawEvent = true;
          setSnapshot(event.snapshot);
        }),
      );
      started.api.snapshot().then(
        (first) => {
          if (stopped) return;
          if (!sawEvent) setSnapshot(first); // an event already brought a newer one
          setPhase({ kind: 'running', client: started });
        },
        () => !stopped && setPhase({ kind: 'failed' }),
      );
    };

    void missingCapabilities().then((missing) => {
      if (stopped) return;
      if (missing.length > 0) return setPhase({ kind: 'unsupported', missing });
      releaseLock = holdMessengerLock(navigator.locks, {
        onWaiting: () => !stopped && setPhase({ kind: 'other-tab' }),
        onAcquired: () => {
          if (stopped) return;
          setPhase({ kind: 'starting' });
          start();
        },
      });
    });

    return () => {
      stopped = true;
      for (const cleanup of cleanups) cleanup();
      client?.terminate();
      releaseLock();
    };
  }, [config]);

  return { phase, snapshot, setSnapshot };
}

/**
 * WCAG 2.4.3: when one screen replaces another (unlocking with Enter removes the field that had
 * focus), focus moves to the new screen's first heading instead of falling to <body>. A screen
 * that focuses a field itself (autoFocus) keeps it.
 */
function useFocusOnScreenChange(screen: string | undefined): void {
  useEffect(() => {
    if (screen === undefined) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body) return;
    const heading = document.querySelector<HTMLElement>('h1');
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
  }, [screen]);
}

function MessengerScreens({ config }: { config: MessengerConfig }) {
  const { t } = useI18n();
  const { phase, snapshot, setSnapshot } = useMessengerWorker(config);
  const client = phase.kind === 'running' ? phase.client : undefined;

  const refresh = useCallback(async () => {
    if (!client) return;
    try {
      setSnapshot(await client.api.snapshot());
    } catch {
      // the worker's failure listener shows the failed screen
    }
  }, [client, setSnapshot]);

  const context = useMemo<MessengerContextValue | undefined>(
    () =>
      client && snapshot
        ? { api: client.api, snapshot, refresh, subscribe: client.subscribe, adminUrl: config.adminUrl }
        : undefined,
    [client, snapshot, refresh, config.adminUrl],
  );

  useFocusOnScreenChange(context ? screenFor(context.snapshot) : phase.kind);

  const unread =
    snapshot?.vault === 'unlocked'
      ? snapshot.conversations.reduce((sum, conversation) => sum + conversation.unread, 0)
      : 0;

  // The screen's name for the title, never a conversation's (see page-title.ts).
  const titled: TitledScreen = context
    ? screenFor(context.snapshot)
    : phase.kind === 'starting' || phase.kind === 'running'
      ? 'loading'
      : phase.kind;

  let screen;
  if (phase.kind === 'unsupported') screen = <Unsupported missing={phase.missing} />;
  else if (phase.kind === 'other-tab') screen = <OtherTab />;
  else if (phase.kind === 'failed') screen = <Failed />;
  else if (!context) screen = <Loading />;
  else {
    const current = context.snapshot;
    const which = screenFor(current);
    screen = (
      <MessengerContext.Provider value={context}>
        {which === 'wiped' && current.wiped && <Wiped wiped={current.wiped} />}
        {which === 'create-passphrase' && <CreatePassphrase />}
        {which === 'unlock' && <Unlock />}
        {which === 'enrol' && <Enrol />}
        {which === 'main' && current.device && <MainScreen device={current.device} />}
      </MessengerContext.Provider>
    );
  }

  return (
    <>
      <Head>
        <title>{pageTitle(titled, unread, t.unchecked)}</title>
      </Head>
      {screen}
    </>
  );
}

/** The whole client: languages, the tab lock, the worker, and the screen its state calls for. */
export function MessengerApp({ config }: { config: MessengerConfig }) {
  return (
    <I18nProvider>
      <MessengerScreens config={config} />
    </I18nProvider>
  );
}
