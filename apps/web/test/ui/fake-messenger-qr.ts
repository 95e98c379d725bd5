/**
 * Made-up pictures and digits for the fake messenger: they only have to look like the worker's
 * (an SVG document, 60 digits in groups of 5) and be the same for the same input, so screenshots
 * and specs are stable. Nothing here is a real QR code or safety number.
 */

/** A 21×21 pattern with the three finder squares, drawn from `seed`: what the worker's QR SVGs look like. */
export function fakeQrSvg(seed: string): string {
  let cells = '';
  let state = [...seed].reduce((hash, char) => (hash * 33 + char.charCodeAt(0)) >>> 0, 5381);
  for (let y = 0; y < 21; y++) {
    for (let x = 0; x < 21; x++) {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      const finder = (x < 7 && y < 7) || (x > 13 && y < 7) || (x < 7 && y > 13);
      const on = finder
        ? x % 6 === 0 || y % 6 === 0 || (x % 7 >= 2 && x % 7 <= 4 && y % 7 >= 2 && y % 7 <= 4)
        : (state & 8) !== 0;
      if (on) cells += `M${x} ${y}h1v1h-1z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 25 25"><rect x="-2" y="-2" width="25" height="25" fill="#fff"/><path d="${cells}" fill="#000"/></svg>`;
}

/** 60 digits in 12 groups of 5, the same whichever side asks (the pair is sorted first). */
export function fakeDigits(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  let state = [...`${first}|${second}`].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
  let digits = '';
  while (digits.length < 60) {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    digits += String(state % 100_000).padStart(5, '0');
  }
  return (digits.match(/.{5}/g) ?? []).join(' ');
}
