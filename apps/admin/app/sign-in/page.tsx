import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Sign in · OpenDescent administration' };

export default function SignInPage() {
  return (
    <main>
      <h1>OpenDescent administration</h1>
      <p className="lead">
        Enrol your staff&apos;s devices, vouch for them and revoke them. This app never sees a message.
      </p>
      <section className="card" aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">Sign in</h2>
        <p className="detail">Administrators sign in with a passkey; there are no passwords to steal.</p>
        {/* Passkey sign-in (WebAuthn) is built with the admin accounts: until then the button is
            shown disabled rather than pretending to work. */}
        <button type="button" disabled aria-describedby="sign-in-unavailable">
          Sign in with a passkey
        </button>
        <p id="sign-in-unavailable" className="detail">
          Passkey sign-in is not available in this version yet.
        </p>
      </section>
    </main>
  );
}
