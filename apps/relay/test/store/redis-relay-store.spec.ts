import { RedisRelayStore } from '../../src/store/redis-relay-store';
import { StoreUnavailableError } from '../../src/store/relay-store';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import { describeRelayStore, suiteLimits } from './relay-store.suite';

describeWithRedis('redis store', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(prefix);
  });

  describeRelayStore('redis store', async (limits) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return RedisRelayStore.connect(REDIS_URL as string, prefix, limits);
  });

  it('fails fast with StoreUnavailableError when Redis cannot be reached', async () => {
    await expect(RedisRelayStore.connect('redis://127.0.0.1:1', testPrefix(), suiteLimits)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
