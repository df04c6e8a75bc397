/** Number formatting for the panel: short, fixed precision, an em dash for "not measured". */

const DASH = '—';

/** Milliseconds as "812 ms", "12.3 ms", "0.42 ms", "3.41 s", or under 0.01 ms in µs ("1.7 µs", not "0.00 ms"). */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms === 0) return '0 ms';
  const a = Math.abs(ms);
  if (a >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (a >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (a >= 100) return `${ms.toFixed(0)} ms`;
  if (a >= 10) return `${ms.toFixed(1)} ms`;
  if (a >= 0.01) return `${ms.toFixed(2)} ms`;
  return `${Number((ms * 1000).toPrecision(2))} µs`;
}

/** A ratio as "1.92×". */
export function formatTimes(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : `${x.toFixed(2)}×`;
}

/** A fraction as "87%". */
export function formatPercent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : `${Math.round(x * 100)}%`;
}

/** An integer with thousands separators. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : Math.round(n).toLocaleString('en-US');
}

/** Last path segment, for showing long file paths compactly (the full path goes in a tooltip). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
