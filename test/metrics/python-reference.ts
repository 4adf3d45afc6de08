// Test helper: seeded data and reference values from Debian's /usr/bin/python3 (numpy, scipy, sklearn).
// `python3` on the PATH is a different interpreter without sklearn, hence the absolute path.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** Runs `script` once with `input` as JSON on stdin; the script prints one JSON object on stdout. */
export function pythonReference(script: string, input: unknown): any {
  const r = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`reference script failed (${r.status}): ${r.stderr}`);
  // NaN/Infinity are allowed by Python's json module; map them to JSON-safe strings first.
  return JSON.parse(
    r.stdout
      .replace(/\bNaN\b/g, '"NaN"')
      .replace(/-Infinity\b/g, '"-Inf"')
      .replace(/\bInfinity\b/g, '"Inf"'),
    (_k, v) => (v === 'NaN' ? NaN : v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : v),
  );
}

/** mulberry32: small, fast, seedable; good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function assertClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol = 1e-12,
  what = '',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  if (a.length !== e.length) throw new Error(`${what}: length ${a.length} != expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Number.isNaN(e[i])
      ? Number.isNaN(a[i])
      : a[i] === e[i] || Math.abs(a[i] - e[i]) <= tol * Math.max(1, Math.abs(e[i]));
    if (!ok) throw new Error(`${what}[${i}]: got ${a[i]}, expected ${e[i]}`);
  }
}
