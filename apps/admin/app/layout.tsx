import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { pageLanguage } from '../src/server/pages';
import { HydrationMarker } from '../src/ui/hydration-marker';
import './globals.css';

export const metadata: Metadata = {
  title: 'OpenDescent administration',
  description: 'Enrol, attest and revoke your organisation’s devices.',
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { locale } = await pageLanguage();
  return (
    <html lang={locale}>
      <body>
        {children}
        <HydrationMarker />
      </body>
    </html>
  );
}
