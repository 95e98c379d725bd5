'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { postJson } from './api-client';
import { formatMessage, formatMessageToParts } from '@opendescent/i18n';
import { richText } from '../i18n/rich-text';
import { LocalTime } from './local-time';

interface Created {
  code: string;
  qrSvg: string;
  expiresAt: string;
  member: { address: string; displayName: string };
}

export interface EnrolmentCodeLabels {
  readonly email: string;
  readonly name: string;
  readonly create: string;
  readonly working: string;
  readonly errorPrefix: string;
  readonly createdHeading: string;
  readonly createdDetail: string;
  readonly qrAlt: string;
  readonly copy: string;
  readonly copied: string;
}

/**
 * Creates a one-time enrolment code and shows it once, as text and as a QR code; focus moves to
 * it (WCAG 2.4.3), so a screen reader reads the code out.
 */
export function EnrolmentCodeForm({
  csrf,
  labels,
  locale,
}: {
  csrf: string;
  labels: EnrolmentCodeLabels;
  locale: string;
}) {
  const router = useRouter();
  const [address, setAddress] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<Created | undefined>();
  const [copied, setCopied] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (created) heading.current?.focus();
  }, [created]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // aria-disabled rather than disabled while working: a disabled button would drop focus to <body>.
    if (working) return;
    setWorking(true);
    setError('');
    setCreated(undefined);
    const result = await postJson<Created>('/api/admin/enrolment-codes', { address, displayName }, csrf);
    setWorking(false);
    if (!result.ok) return setError(`${labels.errorPrefix} ${result.message}`);
    setCreated(result.data);
    setCopied(false);
    setAddress('');
    setDisplayName('');
    router.refresh();
  };

  return (
    <>
      <form onSubmit={submit} className="inline-form">
        <label>
          {labels.email}
          <input
            type="email"
            name="address"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            required
            maxLength={254}
            autoComplete="off"
          />
        </label>
        <label>
          {labels.name}
          <input
            name="displayName"
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            required
            maxLength={128}
            autoComplete="off"
          />
        </label>
        <button type="submit" aria-disabled={working}>
          {working ? labels.working : labels.create}
        </button>
      </form>
      <p role="status" aria-live="polite" className="error">
        {error}
      </p>
      {created ? (
        <section className="created" aria-labelledby="code-created-heading" data-testid="enrolment-code">
          <h3 id="code-created-heading" tabIndex={-1} ref={heading}>
            {formatMessage(labels.createdHeading, locale, { name: created.member.displayName })}
          </h3>
          <p className="detail">
            {richText(
              formatMessageToParts(labels.createdDetail, locale, {
                time: <LocalTime iso={created.expiresAt} locale={locale} never="" />,
              }),
            )}
          </p>
          <div className="code-and-qr">
            <p className="big-code">
              <code data-testid="enrolment-code-text">{created.code}</code>{' '}
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  void navigator.clipboard?.writeText(created.code).then(() => setCopied(true));
                }}
              >
                {copied ? labels.copied : labels.copy}
              </button>
            </p>
            {/* An <img> of the server-made SVG: an image cannot run script, whatever it contains. */}
            <img
              className="qr"
              src={`data:image/svg+xml;base64,${btoa(created.qrSvg)}`}
              alt={formatMessage(labels.qrAlt, locale, { address: created.member.address })}
              width={220}
              height={220}
            />
          </div>
        </section>
      ) : null}
    </>
  );
}
