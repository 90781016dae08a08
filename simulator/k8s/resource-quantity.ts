/**
 * Kubernetes resource quantities (`100m`, `0.5`, `200Mi`, `1e3`, `16303504Ki`), read the way
 * apimachinery's `resource.Quantity` reads them (k8s.io/apimachinery/pkg/api/resource/quantity.go
 * at v0.24.0): a signed decimal number, then a binary suffix (Ki…Ei), a decimal suffix (n, u, m, k,
 * M…E) or a decimal exponent (e3, E-2). Values are kept exact (BigInt) until they are rounded up to
 * the unit a caller asks for, as MilliValue() and Value() round up.
 */

const quantityPattern = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Powers of ten and of two each suffix stands for. */
const suffixes: Readonly<Record<string, { ten: number; two: number }>> = {
  '': { ten: 0, two: 0 },
  n: { ten: -9, two: 0 },
  u: { ten: -6, two: 0 },
  m: { ten: -3, two: 0 },
  k: { ten: 3, two: 0 },
  M: { ten: 6, two: 0 },
  G: { ten: 9, two: 0 },
  T: { ten: 12, two: 0 },
  P: { ten: 15, two: 0 },
  E: { ten: 18, two: 0 },
  Ki: { ten: 0, two: 10 },
  Mi: { ten: 0, two: 20 },
  Gi: { ten: 0, two: 30 },
  Ti: { ten: 0, two: 40 },
  Pi: { ten: 0, two: 50 },
  Ei: { ten: 0, two: 60 },
};

/** An exact quantity: sign × digits × 10^ten × 2^two. */
interface ExactQuantity {
  negative: boolean;
  digits: bigint;
  ten: number;
  two: number;
}

function parseExact(text: string): ExactQuantity | undefined {
  const match = quantityPattern.exec(text);
  if (match === null) return undefined;
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  const scale =
    suffix.startsWith('e') || suffix.startsWith('E')
      ? { ten: Number(suffix.slice(1)), two: 0 }
      : suffixes[suffix];
  if (scale === undefined || !Number.isSafeInteger(scale.ten)) return undefined;
  return {
    negative: sign === '-',
    digits: BigInt(`${whole}${fraction}` || '0'),
    ten: scale.ten - fraction.length,
    two: scale.two,
  };
}

/** The quantity times 10^unitPower, rounded up (towards +∞) to an integer; undefined if unreadable. */
function scaledCeiling(value: string | number, unitPower: number): number | undefined {
  const exact = parseExact(String(value).trim());
  if (exact === undefined) return undefined;
  let numerator = exact.digits * 2n ** BigInt(exact.two);
  let denominator = 1n;
  const ten = exact.ten + unitPower;
  if (ten >= 0) numerator *= 10n ** BigInt(ten);
  else denominator = 10n ** BigInt(-ten);
  let quotient = numerator / denominator;
  if (exact.negative) return -Number(quotient);
  if (quotient * denominator !== numerator) quotient += 1n;
  return Number(quotient);
}

/** A quantity in thousandths of its unit (CPU in millicores), as `Quantity.MilliValue()` gives it. */
export function milliValue(value: string | number): number | undefined {
  return scaledCeiling(value, 3);
}

/** A quantity in whole units (memory in bytes, pods), as `Quantity.Value()` gives it. */
export function wholeValue(value: string | number): number | undefined {
  return scaledCeiling(value, 0);
}
