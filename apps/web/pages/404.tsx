import Head from 'next/head';

// Static (no inline style, unlike Next's default error page, so it renders under the CSP).
export default function NotFound() {
  return (
    <main className="gate">
      <Head>
        <title>404 · OpenDescent</title>
      </Head>
      <section className="gate-card">
        <h1>404</h1>
        <p lang="en">This page does not exist.</p>
        <p lang="fr">Cette page n’existe pas.</p>
        <p>
          <a href="/">OpenDescent</a>
        </p>
      </section>
    </main>
  );
}
