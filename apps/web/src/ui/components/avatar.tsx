/** Initials on a colour picked from the id (a class, not an inline style: the CSP has no 'unsafe-inline'). */
const COLOURS = 8;

function colourOf(seed: string): number {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % COLOURS;
}

export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [name.trim()];
  return letters
    .map((word) => [...(word ?? '')][0] ?? '')
    .join('')
    .toUpperCase();
}

export function Avatar({
  name,
  seed,
  group = false,
  small = false,
}: {
  name: string;
  seed: string;
  group?: boolean;
  small?: boolean;
}) {
  return (
    <span
      className={`avatar avatar-c${colourOf(seed)}${small ? ' avatar-small' : ''}${group ? ' avatar-group' : ''}`}
      aria-hidden="true"
    >
      {initialsOf(name) || '?'}
    </span>
  );
}
