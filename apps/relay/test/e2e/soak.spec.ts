/**
 * `npm run soak` (soak/soak.ts) at a small scale, so its code cannot rot: 10 devices exchange 600
 * end-to-end encrypted messages through two relay node processes on Redis behind Sentinel, while
 * one node is drained (SIGTERM) and started again, the Redis primary is killed and a replica
 * promoted, and devices drop off the network and come back. Nothing acknowledged may be lost,
 * nothing shown twice, nothing taken before an older message of its sender, nothing out of the
 * relay's queue order. Runs where the Redis tests run
 * (REDIS_URL set), on redis-server processes of its own.
 */
import { SoakCluster } from '../../soak/soak-cluster';
import { SoakLedger } from '../../soak/soak-ledger';
import { closeWorld, openWorld, runSoakPhase } from '../../soak/soak-run';
import { describeWithRedis } from '../support/redis';

describe('the soak ledger', () => {
  it('finds a lost message, a message shown twice, one out of order and one never acknowledged', () => {
    const ledger = new SoakLedger();
    for (let sequence = 1; sequence <= 5; sequence++) ledger.made(1, 2, sequence, 'test');
    for (let sequence = 1; sequence <= 4; sequence++) ledger.acknowledged(1, sequence);
    ledger.shown(2, 1, 2, 'push');
    ledger.shown(2, 1, 1, 'push'); // after #2: out of order
    ledger.shown(2, 1, 2, 'final-fetch'); // again: shown twice
    // #3 acknowledged and never shown: lost; #4 shown; #5 never acknowledged.
    ledger.shown(2, 1, 4, 'push');
    expect(ledger.verdict()).toMatchObject({
      made: 5,
      acknowledged: 4,
      unacknowledged: 1,
      lost: 1,
      shownTwice: 1,
      orderViolations: 1,
      passed: false,
    });
  });

  it('finds a message shown by a device it was not made for, and disorder inside one fetch reply', () => {
    const ledger = new SoakLedger();
    for (let sequence = 1; sequence <= 3; sequence++) {
      ledger.made(1, 2, sequence, 'test');
      ledger.acknowledged(1, sequence);
    }
    ledger.shown(3, 1, 1, 'push');
    ledger.shown(2, 1, 3, 'final-fetch', 7);
    ledger.shown(2, 1, 2, 'final-fetch', 7);
    expect(ledger.verdict()).toMatchObject({ misdelivered: 1, queueOrderViolations: 1, lost: 1, passed: false });
  });
});

describeWithRedis('the soak, at a small scale', () => {
  let cluster: SoakCluster;

  beforeAll(async () => {
    cluster = await SoakCluster.start(2, 1);
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a node drained and restarted, a Redis failover, devices dropping: nothing lost, nothing shown twice, order kept', async () => {
    const world = await openWorld(cluster, { devices: 10, contacts: 4, encrypt: true });
    try {
      const soak = await runSoakPhase(world, {
        messages: 600,
        rate: 100,
        groupShare: 0.1,
        faults: [
          { at: 0.1, kind: 'restart', node: 0, signal: 'SIGTERM' },
          { at: 0.4, kind: 'failover' },
        ],
        drops: { everyMs: 1_000, devicesPerRound: 1, maxDownMs: 2_000 },
        drainTimeoutMs: 30_000,
        quietMs: 2_000,
      });
      const verdict = world.ledger.verdict();
      expect({ ...verdict, violations: verdict.violations.map((v) => v.text) }).toMatchObject({
        made: 600,
        acknowledged: 600,
        lost: 0,
        shownTwice: 0,
        orderViolations: 0,
        queueOrderViolations: 0,
        undecryptable: 0,
        misdelivered: 0,
      });
      expect(cluster.restarts.map((r) => r.signal)).toEqual(['SIGTERM']);
      expect(cluster.failovers).toHaveLength(1);
      expect(soak.drops).toBeGreaterThan(0);
    } finally {
      closeWorld(world);
    }
  }, 120_000);
});
