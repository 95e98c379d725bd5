import type { ReactNode } from 'react';

/**
 * The horizontal scroller around a table, which a narrow screen needs (WCAG 1.4.10). It takes
 * focus, so the keyboard can scroll it (2.1.1: arrow keys scroll a focused scroller), and it is a
 * region named after its table, so a screen reader says what it holds (4.1.2).
 */
export function TableScroll({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </div>
  );
}
