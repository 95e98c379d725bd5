import type { NextPageContext } from 'next';
import Head from 'next/head';

interface ErrorProps {
  readonly statusCode: number;
}

// Replaces Next's default error page, whose inline styles the CSP (style-src 'self') would block.
function ErrorPage({ statusCode }: ErrorProps) {
  return (
    <main className="gate">
      <Head>
        <title>{`${statusCode} · OpenDescent`}</title>
      </Head>
      <section className="gate-card">
        <h1>{statusCode}</h1>
        <p lang="en">Something went wrong on the server. Please reload the page.</p>
        <p lang="fr">Un problème est survenu sur le serveur. Veuillez recharger la page.</p>
      </section>
    </main>
  );
}

ErrorPage.getInitialProps = ({ res, err }: NextPageContext): ErrorProps => ({
  statusCode: res?.statusCode ?? err?.statusCode ?? 500,
});

export default ErrorPage;
