// Starts the page's Turbopack chunks. Next.js (Pages Router, Turbopack production build) would
// write this one statement inline in every page; the Content-Security-Policy (script-src 'self')
// forbids inline script, so pages/_document.tsx writes its data as a JSON block instead and this
// same-origin file, deferred before every chunk, hands it to the runtime.
(() => {
  const block = globalThis.document.getElementById('__turbopack_bootstrap');
  if (!block?.textContent) return;
  const { chunkLoadingGlobal, params } = JSON.parse(block.textContent);
  const queue = (globalThis[chunkLoadingGlobal] ||= []);
  for (const entry of params) queue.push(entry);
})();
