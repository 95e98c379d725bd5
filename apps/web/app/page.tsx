import { loadServerConfig } from '../server-config.mjs';
import { DeviceCheck } from './device-check';
import { RelayStatus } from './relay-status';

// The relay's address is read from this server's environment at request time, so one build
// serves any deployment.
export const dynamic = 'force-dynamic';

export default function StartPage() {
  const { relayUrl } = loadServerConfig(process.env);
  return (
    <main>
      <h1>OpenDescent</h1>
      <p className="lead">
        End-to-end encrypted chat for your organisation. Your keys and your history stay on this device; the
        relay only ever forwards sealed messages.
      </p>
      <section className="card" aria-labelledby="enrolment-heading">
        <h2 id="enrolment-heading">This browser is not enrolled yet</h2>
        <p className="detail">
          To use OpenDescent here, this browser must be enrolled as one of your devices with a one-time code from
          your organisation&apos;s administrator.
        </p>
      </section>
      <RelayStatus relayUrl={relayUrl} />
      <DeviceCheck />
    </main>
  );
}
