'use client';
import { useEffect, useState } from 'react';

/**
 * Date and time with its zone: "4 Dec 2026, 21:08 UTC" as the server renders it, or "4 Dec
 * 2026, 22:08 CET" in the viewer's own zone. One set of fields for both (ECMA-402 refuses
 * `timeZoneName` together with `dateStyle`/`timeStyle`).
 */
export function formatDateTime(date: Date, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone,
  }).format(date);
}

/**
 * A time in the viewer's local zone. The server knows no zone of the viewer's, so it renders UTC
 * (what a browser without script keeps); once in the browser the text becomes local time, and
 * `data-zone` says which one is shown.
 */
export function LocalTime({ iso, locale, never }: { iso: string | null | undefined; locale: string; never: string }) {
  const [local, setLocal] = useState<string | undefined>();
  useEffect(() => {
    // After hydration, so the first browser render matches the server's.
    if (iso) setLocal(formatDateTime(new Date(iso), locale));
  }, [iso, locale]);
  if (!iso) return <>{never}</>;
  return (
    // The server's and the browser's ICU may word a date differently: not a mismatch to report.
    <time dateTime={iso} title={iso} data-zone={local === undefined ? 'utc' : 'local'} suppressHydrationWarning>
      {local ?? formatDateTime(new Date(iso), locale, 'UTC')}
    </time>
  );
}
