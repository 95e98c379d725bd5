/**
 * OutageLog (relay.md §10): a store outage is one line when it starts and one line counting the
 * rest of each window, not a line per refused command; a later outage is logged again.
 */
import pino from 'pino';
import { OutageLog } from '../../src/runtime/outage-log';

jest.useFakeTimers();

function logged() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let clock = 1_000_000;
  const log = new OutageLog(logger, 10_000, () => clock);
  const advance = (ms: number) => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };
  return { lines, log, advance };
}

it('500 refusals in a failover: the first logged at once, the other 499 in one line at the end of the window', () => {
  const { lines, log, advance } = logged();
  for (let i = 0; i < 500; i++) log.report('Connection is closed.');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ event: 'store_unavailable', reason: 'Connection is closed.' });
  advance(10_000);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatchObject({ event: 'store_unavailable', repeated: 499, windowSeconds: 10 });
});

it('a single refusal is one line; a later outage, after the window, is logged again', () => {
  const { lines, log, advance } = logged();
  log.report('first');
  advance(10_000);
  expect(lines).toHaveLength(1);
  advance(60_000);
  log.report('second');
  log.report('second');
  advance(10_000);
  expect(lines.map((line) => [line.reason, line.repeated])).toEqual([
    ['first', undefined],
    ['second', undefined],
    ['second', 1],
  ]);
});
