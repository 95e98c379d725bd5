import { Fragment } from 'react';
import { addressSegments } from '../conversation-format';

/** An email address that wraps at "@" and "." on a narrow screen, never inside a word (<wbr> is not read out or copied). */
export function Address({ value, className, testId }: { value: string; className?: string; testId?: string }) {
  return (
    <span className={className} data-testid={testId}>
      {addressSegments(value).map((segment, index) => (
        <Fragment key={index}>
          {index > 0 && <wbr />}
          {segment}
        </Fragment>
      ))}
    </span>
  );
}
