import type { GetServerSideProps } from 'next';
import { clientConfig, loadServerConfig, type WebClientConfig } from '../server-config.mjs';
import { MessengerApp } from '../src/ui/messenger-app';

interface MessengerPageProps {
  readonly config: WebClientConfig;
}

/**
 * The relays and the admin app are read from this server's environment at request time (one build
 * serves any deployment) and reach the browser as page props: the `__NEXT_DATA__` JSON block,
 * which is data, not script, so the Content-Security-Policy needs no inline script for it.
 */
export const getServerSideProps: GetServerSideProps<MessengerPageProps> = async () => ({
  props: { config: clientConfig(loadServerConfig(process.env)) },
});

export default function MessengerPage({ config }: MessengerPageProps) {
  return <MessengerApp config={config} />;
}
