import path from 'node:path';
import type { NextConfig } from 'next';

const workspaceRoot = path.resolve(__dirname, '../..');

const nextConfig: NextConfig = {
  // The libraries are shipped as TypeScript sources (their src/index.ts is the public surface).
  transpilePackages: ['@opendescent/crypto', '@opendescent/protocol', '@opendescent/relay-client', '@opendescent/i18n'],
  turbopack: { root: workspaceRoot },
  // A self-contained server folder (.next/standalone), traced from the workspace root; the build
  // (tools/build/standalone.mjs) completes it into dist/web/ for start:prod and the image.
  output: 'standalone',
  outputFileTracingRoot: workspaceRoot,
  // No image optimisation (no next/image here), so the build leaves sharp out of dist/ (standalone.mjs).
  images: { unoptimized: true },
  // Always defined, so Next inlines it everywhere (worker included) and a normal build drops the
  // bench's seeding code as dead; only `npm run bench:web` builds with it set to '1'.
  env: { NEXT_PUBLIC_OPENDESCENT_BENCH: process.env['NEXT_PUBLIC_OPENDESCENT_BENCH'] === '1' ? '1' : '' },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
          // The camera only for this origin: reading the enrolment QR code (src/ui/qr-scan.ts).
          { key: 'Permissions-Policy', value: 'camera=(self), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
