import { MetricInputError } from './metric-input-error.js';

export interface PairedDifference {
  n: number;
  /** Mean of a[i] - b[i]. */
  mean: number;
  /** Sample standard deviation of the differences (n - 1 in the denominator). */
  std: number;
  /** Two-sided confidence interval of the mean difference from Student's t with n - 1 degrees of freedom. */
  ci: [number, number];
  level: number;
}

/**
 * Paired comparison of two variants measured on the same seeds or folds (a[i] and b[i] share seed/fold i):
 * the mean difference with a Student-t confidence interval. An interval that contains 0 means the data do
 * not show a difference at that level.
 */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): PairedDifference {
  if (a.length !== b.length)
    throw new MetricInputError('pairedDifference', `${a.length} values against ${b.length}: pairs must match`);
  if (a.length < 2) throw new MetricInputError('pairedDifference', 'needs at least 2 pairs for an interval');
  if (!(level > 0 && level < 1)) throw new MetricInputError('pairedDifference', `level ${level} is not in (0, 1)`);
  const d = a.map((v, i) => v - b[i]);
  if (d.some((v) => !Number.isFinite(v))) throw new MetricInputError('pairedDifference', 'values must be finite');
  const n = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (std / Math.sqrt(n));
  return { n, mean, std, ci: [mean - half, mean + half], level };
}

/** Quantile of Student's t by bisection on its CDF (regularised incomplete beta, continued fraction). */
export function studentTQuantile(p: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Regularised incomplete beta I_x(a, b) (Numerical Recipes' continued fraction). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** log Gamma (Lanczos, g = 7). */
function lgamma(z: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - lgamma(1 - z);
  const x = z - 1;
  let a = g[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
