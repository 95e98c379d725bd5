import { ConfigError, loadRelayConfig } from './config/relay-config';
import { startRelay } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadRelayConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`relay: invalid configuration: ${error.message}`);
    process.exit(1);
  }
  const { url } = await startRelay(config);
  const store = config.RELAY_STORE === 'redis' ? 'Redis store' : 'in-memory store';
  const access = config.RELAY_ORG_ID
    ? 'anonymous access by tokens of the organisation'
    : 'no organisation key configured: every hello is refused';
  console.log(`relay: listening on ${url} (${store}; ${access})`);
}

main().catch((error: unknown) => {
  console.error('relay: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
