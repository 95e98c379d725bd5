import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { pageLanguage } from '../src/server/pages';
import { HydrationMarker } from '../src/ui/hydration-marker';
import './globals.css';

/** In the page's language; each page's title goes before the app's name (WCAG 2.4.2). */
export async function generateMetadata(): Promise<Metadata> {
  const { t } = await pageLanguage();
  return {
    title: { template: t('titleTemplate', { page: '%s' }), default: t('appTitle') },
    description: t('appDescription'),
    robots: { index: false, follow: false },
  };
}

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
