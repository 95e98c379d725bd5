import path from 'node:path';
import type { NextConfig } from 'next';

const workspaceRoot = path.resolve(__dirname, '../..');

const nextConfig: NextConfig = {
  // The libraries are shipped as TypeScript sources (their src/index.ts is the public surface).
  transpilePackages: ['@opendescent/crypto', '@opendescent/protocol', '@opendescent/i18n'],
  turbopack: { root: workspaceRoot },
  // A self-contained server folder (.next/standalone), traced from the workspace root; the build
  // (tools/build/standalone.mjs) completes it into dist/admin/ for start:prod and the image.
  output: 'standalone',
  outputFileTracingRoot: workspaceRoot,
  // No image optimisation (no next/image here), so the build leaves sharp out of dist/ (standalone.mjs).
  images: { unoptimized: true },
  poweredByHeader: false,
  reactStrictMode: true,
  // Fixed headers of every response. The page CSP carries a nonce per response (proxy.ts); HSTS
  // depends on the runtime public URL (server-config.mjs `responseHeaders`).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
