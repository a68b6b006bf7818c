// Small statistics for the bench: medians and percentiles of plain number arrays.

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (nearest rank); NaN for an empty array. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function mean(values) {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Differences between consecutive values. */
export function gaps(values) {
  return values.slice(1).map((v, i) => v - values[i]);
}

/** A number for a `BENCH key=value` line. */
export function fixed(value, digits = 3) {
  return Number.isFinite(value) ? value.toFixed(digits) : "nan";
}
