import { Fragment, type ReactNode } from 'react';

/**
 * A sentence formatted to parts (`t.rich`, `formatMessageToParts`) as React children: the
 * catalogue's sentence stays whole, with each element (e.g. a <LocalTime>) where its argument is.
 */
export function richText(parts: readonly ReactNode[]): ReactNode {
  return parts.map((part, i) => <Fragment key={i}>{part}</Fragment>);
}
