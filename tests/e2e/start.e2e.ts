/**
 * `npm start`'s code path, end to end (support/start-checks.ts): the three apps come up on
 * embedded defaults, the banner's URLs answer, a real browser shows the web client's first-run
 * screen under its content security policy, and Ctrl-C leaves no process behind. The relay runs
 * from its TypeScript sources here, through SWC (the production build does not: start-prod.e2e.ts).
 */
import { describeStartedSystem } from './support/start-checks';
import { relayProcess, startSystem } from './support/system';

describeStartedSystem('npm start', () => startSystem(), {
  more: (system) => {
    it('runs the relay from its TypeScript sources through SWC', () => {
      const relay = relayProcess(system());
      expect(relay.commandLine).toContain('apps/relay/src/main.ts');
      expect(relay.mapped).toMatch(/@swc\/core/);
    });
  },
});
