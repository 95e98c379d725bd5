import { Fragment, type ReactNode } from 'react';

/**
 * `format` (src/i18n/messages.ts) for values that are elements, such as a <LocalTime>: the
 * catalogue's sentence stays whole, with the element where its {placeholder} is.
 */
export function formatNodes(template: string, values: Record<string, ReactNode>): ReactNode {
  const parts = template.split(/\{(\w+)\}/g);
  // split with one capture group: even indexes are text, odd ones placeholder names.
  return parts.map((part, i) => <Fragment key={i}>{i % 2 === 0 ? part : part in values ? values[part] : `{${part}}`}</Fragment>);
}
