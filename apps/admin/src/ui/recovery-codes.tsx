'use client';

export function RecoveryCodes({ codes, heading, detail, continueLabel, continueTo }: { codes: string[]; heading: string; detail: string; continueLabel?: string; continueTo?: string }) {
  return (
    <section className="card" aria-labelledby="recovery-codes-heading" data-testid="recovery-codes">
      <h2 id="recovery-codes-heading">{heading}</h2>
      <p className="detail">{detail}</p>
      <ol className="codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      {continueLabel && continueTo ? (
        <p>
          <a className="button" href={continueTo}>
            {continueLabel}
          </a>
        </p>
      ) : null}
    </section>
  );
}
