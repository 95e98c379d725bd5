import { Head, Html, Main, NextScript } from 'next/document';
import type { JSX } from 'react';

type DocumentFiles = Parameters<Head['getScripts']>[0];

/** JSON that is safe inside a <script> element: no `</script>`, no HTML comment, no line separators. */
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The page's <head>, without inline script. The Content-Security-Policy (server-config.mjs) is
 * `script-src 'self'` with no nonce. That rules out the App Router, whose RSC payload is inline
 * script (`self.__next_f.push(…)`) in every page, so this app uses the Pages Router, whose page
 * data is a JSON block (`__NEXT_DATA__`, never executed). One inline script remains in a
 * Turbopack production build: the bootstrap that tells the runtime which chunks and modules to
 * start. Here it becomes a JSON block read by /turbopack-bootstrap.js (public/), a same-origin file
 * deferred before the chunks. Any other inline script is refused loudly rather than shipped
 * broken.
 */
class HeadWithoutInlineScript extends Head {
  override getScripts(files: DocumentFiles): JSX.Element[] {
    return super.getScripts(files).flatMap((script) => {
      const props = script.props as { src?: string; type?: string; dangerouslySetInnerHTML?: unknown };
      if (props.src || props.type === 'application/json' || !props.dangerouslySetInnerHTML) return [script];
      if (script.key !== 'turbopack-bootstrap') {
        throw new Error(
          `Next.js rendered an inline script (${String(script.key)}) that the Content-Security-Policy forbids`,
        );
      }
      const { buildManifest, __NEXT_DATA__ } = this.context;
      const byPage = buildManifest.pagesChunkGroupBootstrapParams ?? {};
      const params = ['/_app', __NEXT_DATA__.page].map((page) => byPage[page]).filter(Boolean);
      const bootstrap = { chunkLoadingGlobal: buildManifest.chunkLoadingGlobal, params };
      return [
        <script
          key="turbopack-bootstrap-data"
          id="__turbopack_bootstrap"
          type="application/json"
          dangerouslySetInnerHTML={{ __html: jsonForScriptElement(bootstrap) }}
        />,
        <script key="turbopack-bootstrap" src="/turbopack-bootstrap.js" defer />,
      ];
    });
  }
}

export default function Document() {
  return (
    <Html lang="en">
      <HeadWithoutInlineScript />
      <body>
        <Main />
        <NextScript />
      </body>
    </Html>
  );
}
