/**
 * One federated round under secure aggregation (src/fl/secure-aggregation.ts), both ends of it.
 *
 * Protocol (after the site has trained, in the order of the round):
 *   1. keys:   each cohort site posts a fresh X25519 public key with its sample count (`/v1/keys`).
 *   2. masked: once the keys are in (all, or at least the minimum at the timeout), the server fixes the members
 *              and relays their keys and sample counts; each member uploads its vector (below), fixed-point
 *              encoded in Z_2^32 and masked with one pairwise mask per other member (`/v1/update`).
 *   3. sum:    the masks cancel in the sum of all members' uploads, and the server decodes only that sum.
 * The vector is the site's weights times n_i / N (N: the members' samples), so the sum is FedAvg's weighted mean
 * (the division by N happens on the sites, which keeps the encoded values small). With DP-FedAvg it is the
 * site's clipped update plus its share of the noise, times 1/K (dpClientShare): the sum is already noised, so
 * the server never holds a noise-free aggregate. FedBN's batch-norm entries are in the vector too: the server
 * learns only their cohort mean, for its own evaluation copy, and the sites never load them back.
 *
 * Dropout: a member that sent its key but not its masked upload leaves masks that do not cancel. Without
 * Bonawitz's secret-shared seeds the sum cannot be recovered, so the server discards that attempt's uploads
 * and repeats steps 1-2 (attempt + 1, fresh keys, so no mask repeats) with the members that did upload; they
 * mask the same trained weights again. With fewer than the minimum left, the round starts over.
 */
import {
  encodeSafetensors,
  safetensorFromArray,
  safetensorToArray,
  type SafetensorRecord,
} from '../tensor/safetensors.js';
import { dpClientShare, withValidVariances } from './dp-fedavg.js';
import { maskUpdate, unmaskSum, type MaskingKeys } from './secure-aggregation.js';
import { flattenState, unflattenState, vectorNames, type State } from './state-vector.js';

/** The one tensor of a masked upload: the masked vector's Z_2^32 words, stored as I32 bit patterns. */
export const MASKED_TENSOR = 'masked';

export interface KeyAnnouncement {
  publicKey: string;
  samples: number;
  loss: number;
}

export interface Member {
  site: string;
  publicKey: string;
  samples: number;
}

export interface SecureRound {
  attempt: number;
  phase: 'keys' | 'masked';
  /** Sites that may post keys in this attempt: the cohort, later the members that uploaded last time. */
  eligible: string[];
  keys: Map<string, KeyAnnouncement>;
  /** Fixed when the key phase ends (sorted by site). */
  members: Member[];
  masked: Map<string, Uint32Array>;
}

export function newSecureRound(eligible: readonly string[], attempt = 0): SecureRound {
  return { attempt, phase: 'keys', eligible: [...eligible], keys: new Map(), members: [], masked: new Map() };
}

/** Ends the key phase: the sites that posted keys become the members whose masks must all cancel. */
export function fixMembers(r: SecureRound): void {
  r.phase = 'masked';
  r.members = [...r.keys.entries()]
    .map(([site, k]) => ({ site, publicKey: k.publicKey, samples: k.samples }))
    .sort((a, b) => (a.site < b.site ? -1 : 1));
}

export interface MaskedUploadInput {
  self: string;
  keys: MaskingKeys;
  members: readonly Member[];
  round: number;
  attempt: number;
  /** The global weights the site started from and its weights after local training. */
  global: State;
  trained: State;
  dp?: { clipNorm: number; noiseMultiplier: number };
}

/** Site side: the safetensors file a member uploads. */
export function maskedUpload(o: MaskedUploadInput): Uint8Array {
  const names = vectorNames(o.global);
  const weights = flattenState(o.trained, names);
  const me = o.members.find((m) => m.site === o.self);
  if (!me) throw new Error(`${o.self} is not a member of round ${o.round}`);
  let vector: Float32Array;
  let weight: number;
  if (o.dp) {
    const base = flattenState(o.global, names);
    vector = dpClientShare(
      weights.map((v, k) => v - base[k]),
      o.dp.clipNorm,
      o.dp.noiseMultiplier,
      o.members.length,
    );
    weight = 1 / o.members.length;
  } else {
    vector = weights;
    weight = me.samples / o.members.reduce((s, m) => s + m.samples, 0);
  }
  const cohort = o.members.map((m) => ({ id: m.site, publicKey: m.publicKey }));
  const masked = maskUpdate(vector, weight, o.self, o.keys, cohort, o.round, o.attempt);
  const words = new Int32Array(masked.buffer, masked.byteOffset, masked.length);
  return encodeSafetensors(
    { [MASKED_TENSOR]: safetensorFromArray('I32', [masked.length], words) },
    { round: String(o.round), attempt: String(o.attempt) },
  );
}

/** Server side: the masked words of an upload, or why it is not a masked vector for this model. */
export function readMaskedUpload(tensors: Record<string, SafetensorRecord>, global: State): Uint32Array | string {
  const length = vectorNames(global).reduce((n, k) => n + global[k].shape.reduce((a, b) => a * b, 1), 0);
  const t = tensors[MASKED_TENSOR];
  const names = Object.keys(tensors);
  if (!t || names.length !== 1 || t.dtype !== 'I32' || t.shape.length !== 1 || t.shape[0] !== length)
    return `a masked upload is one I32 tensor '${MASKED_TENSOR}' of ${length} values; got ${names
      .slice(0, 3)
      .map((k) => `${k} ${tensors[k].dtype}[${tensors[k].shape.join(', ')}]`)
      .join(', ')}`;
  const words = safetensorToArray(t as SafetensorRecord & { dtype: 'I32' });
  return new Uint32Array(words.buffer, words.byteOffset, words.length).slice();
}

/**
 * Server side: the new global state from all members' masked uploads. Without DP the unmasked sum is the
 * weighted mean of the weights; with DP it is the noisy mean update, added to the global weights. Integer
 * entries (batch-norm step counters) keep the global value.
 */
export function maskedSumState(global: State, masked: readonly Uint32Array[], dp: boolean): State {
  const names = vectorNames(global);
  const sum = unmaskSum(masked);
  if (!dp) return unflattenState(global, names, sum);
  const base = flattenState(global, names);
  for (let k = 0; k < sum.length; k++) sum[k] += base[k];
  return withValidVariances(unflattenState(global, names, sum));
}
