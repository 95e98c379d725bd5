/** Line icons (24×24, stroke = currentColor). Decorative: the control around each one has the name. */
const PATHS = {
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z',
  key: 'M7.5 20a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9M10.7 12.3L20 3M16 7l3 3M13.5 9.5l2 2',
  plus: 'M12 5v14M5 12h14',
  users:
    'M16 20v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7M21 20v-1a4 4 0 0 0-3-3.87M15 4.13a3.5 3.5 0 0 1 0 6.75',
  message: 'M4 5h16v11H9l-5 4z',
  shield: 'M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6zM9 12l2 2 4-4',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M12 11v6M12 7.5v.5',
  back: 'M15 5l-7 7 7 7',
  send: 'M4 12l16-8-6 16-2-7z',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M12 7v5l3 2',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  checks: 'M2 12.5l4.5 4.5L16 7.5M12 16l1 1 9.5-9.5',
  alert: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  timer: 'M12 22a8 8 0 1 0 0-16 8 8 0 0 0 0 16M12 10v4M9 2h6',
  close: 'M6 6l12 12M18 6L6 18',
  person: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8M4 21v-1a6 6 0 0 1 6-6h4a6 6 0 0 1 6 6v1',
  history: 'M3 12a9 9 0 1 0 3-6.7M3 4v4h4M12 8v4l3 2',
  devices: 'M3 5h12v9H3zM1 18h14M18 8h4v12h-4z',
  // Files and photos (main/attachment-*.tsx).
  paperclip: 'M20.5 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l9-9a3.7 3.7 0 0 1 5.2 5.2l-9 9a1.8 1.8 0 0 1-2.6-2.6l8.3-8.3',
  file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
  download: 'M12 4v11M7 10.5l5 5 5-5M5 20h14',
  save: 'M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6',
  // Replies, reactions, edits and deletion (main/message-*.tsx).
  reply: 'M9 14L4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11',
  smile: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M8 14s1.5 2 4 2 4-2 4-2M9 9.5v.5M15 9.5v.5',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  // Notification level of a conversation (main/notify-level-select.tsx).
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4',
  'bell-off': 'M6 16V11a6 6 0 0 1 1-3.3M9.5 5.5A6 6 0 0 1 18 11v4M18 18H4l2-2M10 21h4M3 3l18 18',
} as const;

/**
 * Icons drawn as a solid shape with lines cut out of it (in the colour of what is behind, the
 * `--icon-cutout` custom property): read receipts, which must differ from "delivered" by more
 * than colour (WCAG 1.4.1).
 */
const FILLED = {
  'checks-filled': {
    shape: 'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20',
    cutout: 'M5.5 12.5l3 3 5.5-6M11.5 15.5l.5.5 5.5-6',
  },
} as const;

export type IconName = keyof typeof PATHS | keyof typeof FILLED;

export function Icon({ name, className }: { name: IconName; className?: string }) {
  if (name in FILLED) return <FilledIcon name={name as keyof typeof FILLED} className={className} />;
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 24 24"
      width="20"
      height="20"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name as keyof typeof PATHS]} />
    </svg>
  );
}

function FilledIcon({ name, className }: { name: keyof typeof FILLED; className: string | undefined }) {
  const { shape, cutout } = FILLED[name];
  return (
    <svg
      className={className ? `icon icon-filled ${className}` : 'icon icon-filled'}
      viewBox="0 0 24 24"
      width="20"
      height="20"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={shape} fill="currentColor" stroke="none" />
      <path className="icon-cutout" d={cutout} fill="none" strokeWidth="2" />
    </svg>
  );
}
