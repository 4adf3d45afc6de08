/**
 * Client-level differential privacy for federated rounds (DP-FedAvg, McMahan et al. 2018, "Learning
 * Differentially Private Recurrent Language Models"): each client's model update is clipped to L2 norm
 * `clipNorm`, the server sums the clipped updates of the round, adds N(0, (noiseMultiplier * clipNorm)^2) per
 * coordinate and divides by the number of clients (uniform weights: weighting by sample counts would let one
 * site's data size change the sensitivity). Epsilon comes from the RDP accountant with q = clients sampled per
 * round / all clients, one step per round. It protects whether any one site took part, not single patients
 * beyond that (a site's whole contribution is the unit).
 */
import { randomBytes } from 'node:crypto';
import { privacySpent } from '../privacy/rdp-accountant.js';
import { flattenState, unflattenState, vectorNames, type State } from './state-vector.js';
import { safetensorFromArray, safetensorToArray, type SafetensorRecord } from '../tensor/safetensors.js';

export function l2Norm(v: Float32Array): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  return Math.sqrt(s);
}

/** `update` scaled down to norm `clipNorm` when it is longer (a copy). */
export function clipUpdate(update: Float32Array, clipNorm: number): Float32Array {
  const norm = l2Norm(update);
  const scale = norm > clipNorm ? clipNorm / norm : 1;
  return update.map((v) => v * scale);
}

/** Standard normal samples from the operating system's CSPRNG (Box-Muller): noise an observer cannot predict. */
export function gaussianNoise(length: number): Float64Array {
  const out = new Float64Array(length);
  const bytes = randomBytes(8 * (length + 1));
  const u = new Uint32Array(bytes.buffer, bytes.byteOffset, 2 * (length + 1));
  for (let k = 0; k < length; k += 2) {
    const u1 = (u[2 * k] + 1) / 4294967297;
    const u2 = u[2 * k + 1] / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    out[k] = r * Math.cos(2 * Math.PI * u2);
    if (k + 1 < length) out[k + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** The round's noisy mean of clipped updates. */
export function dpFedAvg(updates: readonly Float32Array[], clipNorm: number, noiseMultiplier: number): Float32Array {
  const length = updates[0].length;
  const sum = new Float64Array(length);
  for (const u of updates) {
    const c = clipUpdate(u, clipNorm);
    for (let k = 0; k < length; k++) sum[k] += c[k];
  }
  const noise = gaussianNoise(length);
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) out[k] = (sum[k] + noise[k] * noiseMultiplier * clipNorm) / updates.length;
  return out;
}

/** Epsilon at `delta` after `rounds` rounds sampling `perRound` of `clients` sites each round. */
export function dpFedAvgEpsilon(
  clients: number,
  perRound: number,
  noiseMultiplier: number,
  rounds: number,
  delta = 1e-5,
) {
  return privacySpent({ samplingProbability: perRound / clients, noiseMultiplier, steps: rounds, delta }).epsilon;
}

/**
 * One DP-FedAvg round on model states: each site's update (its float tensors minus the global ones, as one
 * vector) is clipped and noised by `dpFedAvg`, and the noisy mean update is added to the global state.
 * Integer tensors (batch-norm counters) keep the global value.
 */
export function dpFedAvgStates(
  global: State,
  states: readonly State[],
  clipNorm: number,
  noiseMultiplier: number,
): State {
  const names = vectorNames(global);
  const base = flattenState(global, names);
  const updates = states.map((s) => flattenState(s, names).map((v, k) => v - base[k]));
  const mean = dpFedAvg(updates, clipNorm, noiseMultiplier);
  return withValidVariances(
    unflattenState(
      global,
      names,
      base.map((v, k) => v + mean[k]),
    ),
  );
}

/**
 * Noise reaches batch-norm running variances too (they come from the data), and can make them negative, which
 * turns every prediction into NaN. Clamping them at 0 (batch norm adds its eps) is post-processing of the
 * noisy release, so the guarantee is unchanged.
 */
export function withValidVariances(state: State): State {
  const out: State = { ...state };
  for (const [k, r] of Object.entries(state))
    if (k.endsWith('running_var') && r.dtype === 'F32') {
      const v = safetensorToArray(r as SafetensorRecord & { dtype: 'F32' });
      out[k] = safetensorFromArray(
        'F32',
        r.shape,
        v.map((x) => Math.max(0, x)),
      );
    }
  return out;
}

/**
 * DP-FedAvg under secure aggregation, where the server never sees one site's update and so cannot clip or
 * noise it: each of the round's `cohortSize` sites clips its own update and adds its share of the noise,
 * N(0, (noiseMultiplier * clipNorm)^2 / cohortSize), so the sum the server unmasks carries exactly the
 * N(0, (noiseMultiplier * clipNorm)^2) of central DP-FedAvg (distributed noise, as in Kairouz et al. 2021).
 */
export function dpClientShare(
  update: Float32Array,
  clipNorm: number,
  noiseMultiplier: number,
  cohortSize: number,
): Float32Array {
  const clipped = clipUpdate(update, clipNorm);
  const noise = gaussianNoise(update.length);
  const std = (noiseMultiplier * clipNorm) / Math.sqrt(cohortSize);
  return clipped.map((v, k) => v + noise[k] * std);
}
