// Small statistics over per-round measurements.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Element-wise a[i] / b[i]: ratios within one round, where both peers saw the same machine state. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`ratios: ${a.length} vs ${b.length} rounds`);
  return a.map((x, i) => x / b[i]);
}
