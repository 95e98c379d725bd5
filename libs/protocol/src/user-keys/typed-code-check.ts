/**
 * The two check characters of a typed code (docs/protocol/user-keys.md §3.2): an error-detecting
 * code, not an authenticator. Symbols are base32 values 0..31, read as elements of GF(32) =
 * GF(2)[x] / (x^5 + x^2 + 1). With n ≤ 30 data symbols d_j, the check symbols are
 *   c_1 = Σ_j α^(j+1) · d_j      c_0 = c_1 + Σ_j d_j        (+ is XOR)
 * so every codeword x satisfies Σ x_j = 0 and Σ β_j · x_j = 0 with β = α^1..α^n for the data, 1
 * for c_1 and 0 for c_0: all distinct, since α has order 31. Any two columns (1, β_j), (1, β_k)
 * are then independent, so the code has distance 3: every change of one or two characters (a typo,
 * a swap of any two characters) is detected, never decoded as another code. Not a hand-written
 * cryptographic primitive: authenticity comes from the key commitment and the link secret.
 */
const FIELD_POLYNOMIAL = 0b100101;
/** α has order 31, so at most 30 data symbols keep every β distinct. */
export const MAX_CHECKED_SYMBOLS = 30;

/** Multiplies a GF(32) element by α (x). */
function timesAlpha(value: number): number {
  const shifted = value << 1;
  return shifted & 0b100000 ? shifted ^ FIELD_POLYNOMIAL : shifted;
}

/** The two check symbols of `data` (values 0..31), to append after it: [c_1, c_0]. */
export function checkSymbols(data: readonly number[]): [number, number] {
  if (data.length > MAX_CHECKED_SYMBOLS) throw new RangeError('typed code check: too many symbols');
  let sum = 0;
  let weighted = 0;
  for (let j = 0; j < data.length; j++) {
    const symbol = data[j] as number;
    let term = symbol;
    for (let power = 0; power <= j; power++) term = timesAlpha(term);
    sum ^= symbol;
    weighted ^= term;
  }
  return [weighted, weighted ^ sum];
}
