/**
 * Rényi differential privacy accounting for the subsampled Gaussian mechanism: the privacy of DP-SGD (each
 * example sampled with probability q per step, clipped gradients plus N(0, (sigma * C)^2) noise) and of
 * DP-FedAvg (each client sampled with probability q per round, clipped updates plus noise at aggregation).
 *
 * RDP of one step at integer order alpha (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the
 * Sampled Gaussian Mechanism", Sec. 3.3):
 *   A_alpha = sum_{i=0..alpha} C(alpha, i) (1-q)^(alpha-i) q^i exp((i^2 - i) / (2 sigma^2)),
 *   RDP(alpha) = log(A_alpha) / (alpha - 1),
 * summed in log space; RDP composes additively over steps. The conversion to (epsilon, delta) is Balle et al.
 * 2020 ("Hypothesis testing interpretations and Rényi DP", Thm. 21), as TensorFlow Privacy / dp_accounting use:
 *   epsilon = min_alpha RDP(alpha) + log((alpha-1)/alpha) - (log(delta) + log(alpha)) / (alpha - 1).
 * Only integer orders are used (2..64, 128, 256, 512): the fractional orders TensorFlow Privacy adds can only
 * lower epsilon, so this is the same or a slightly larger (still valid) bound.
 */

export const DEFAULT_ORDERS: readonly number[] = [...Array.from({ length: 63 }, (_, i) => i + 2), 128, 256, 512];

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** RDP of `steps` compositions of the sampled Gaussian mechanism at integer order `alpha`. */
export function sampledGaussianRdp(q: number, noiseMultiplier: number, steps: number, alpha: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling probability must be in [0, 1], got ${q}`);
  if (!Number.isInteger(alpha) || alpha < 2) throw new RangeError(`order must be an integer >= 2, got ${alpha}`);
  if (q === 0) return 0;
  if (noiseMultiplier === 0) return Infinity;
  const variance = noiseMultiplier * noiseMultiplier;
  if (q === 1) return (steps * alpha) / (2 * variance);
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, i), built up term by term
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log(alpha - i + 1) - Math.log(i);
    const term = logBinom + i * Math.log(q) + (alpha - i) * Math.log1p(-q) + (i * i - i) / (2 * variance);
    logA = logAdd(logA, term);
  }
  return (steps * logA) / (alpha - 1);
}

export interface PrivacySpent {
  epsilon: number;
  delta: number;
  /** The Rényi order that gave the smallest epsilon. */
  order: number;
}

/** (epsilon, delta) from RDP values at `orders` (Balle et al. 2020 conversion; epsilon >= 0). */
export function epsilonFromRdp(orders: readonly number[], rdp: readonly number[], delta: number): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  let best = { epsilon: Infinity, delta, order: orders[0] };
  orders.forEach((alpha, k) => {
    const r = rdp[k];
    let epsilon: number;
    if (delta * delta + Math.expm1(-r) > 0)
      epsilon = 0; // the RDP bound alone already gives delta
    else epsilon = r + Math.log1p(-1 / alpha) - Math.log(delta * alpha) / (alpha - 1);
    if (epsilon < best.epsilon) best = { epsilon: Math.max(0, epsilon), delta, order: alpha };
  });
  return best;
}

export interface SampledGaussianRun {
  /** Probability that an example (DP-SGD) or a client (DP-FedAvg) takes part in one step/round. */
  samplingProbability: number;
  /** Noise standard deviation divided by the clipping norm. */
  noiseMultiplier: number;
  steps: number;
  delta: number;
  orders?: readonly number[];
}

/** Epsilon of a whole run of the subsampled Gaussian mechanism at `delta`. */
export function privacySpent(run: SampledGaussianRun): PrivacySpent {
  const orders = run.orders ?? DEFAULT_ORDERS;
  const rdp = orders.map((a) => sampledGaussianRdp(run.samplingProbability, run.noiseMultiplier, run.steps, a));
  return epsilonFromRdp(orders, rdp, run.delta);
}

/**
 * DP-SGD over `examples` with batches of `batchSize` for `epochs`, as TensorFlow Privacy's
 * compute_dp_sgd_privacy counts it: q = batchSize / examples, steps = ceil(epochs * examples / batchSize).
 */
export function dpSgdPrivacy(
  examples: number,
  batchSize: number,
  noiseMultiplier: number,
  epochs: number,
  delta = 1e-5,
): PrivacySpent {
  return privacySpent({
    samplingProbability: batchSize / examples,
    noiseMultiplier,
    steps: Math.ceil((epochs * examples) / batchSize),
    delta,
  });
}

/** The smallest noise multiplier (to 1e-3 relative) whose run stays within `epsilon` at the run's delta. */
export function noiseForEpsilon(run: Omit<SampledGaussianRun, 'noiseMultiplier'>, epsilon: number): number {
  let lo = 0.01;
  let hi = 1;
  while (privacySpent({ ...run, noiseMultiplier: hi }).epsilon > epsilon) {
    hi *= 2;
    if (hi > 1e6) throw new RangeError(`no noise multiplier reaches epsilon ${epsilon}`);
  }
  while (hi - lo > 1e-3 * hi) {
    const mid = (lo + hi) / 2;
    if (privacySpent({ ...run, noiseMultiplier: mid }).epsilon > epsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
