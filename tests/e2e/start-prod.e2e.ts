/**
 * `npm run start:prod`, the production build's code path (issue 17): what `npm run build` made
 * (scripts/test.mjs runs it before this suite) passes the same checks as `npm start`
 * (support/start-checks.ts), and the relay runs as plain JavaScript from dist/relay, with no
 * compiler loaded: no @swc module is mapped into its process, where `npm start`'s relay has one.
 */
import { describeStartedSystem } from './support/start-checks';
import { relayProcess, startSystem } from './support/system';

describeStartedSystem('npm run start:prod', () => startSystem({}, 180_000, ['--prod']), {
  screenshotPrefix: 'prod-',
  more: (system) => {
    it('runs the relay from dist/relay as plain JavaScript, with no compiler loaded', () => {
      expect(system().output()).toContain('OpenDescent is running (production build');
      const relay = relayProcess(system());
      expect(relay.commandLine).toMatch(/dist\/relay\/apps\/relay\/src\/main\.js$/);
      expect(relay.commandLine).not.toContain('register');
      expect(relay.mapped).not.toMatch(/swc/);
    });
  },
});
