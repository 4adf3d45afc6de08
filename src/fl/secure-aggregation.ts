/**
 * Secure aggregation by pairwise additive masking (Bonawitz et al. 2017, "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", the masking core without its secret-sharing recovery round).
 *
 * Each client of a round's cohort has an X25519 key pair and learns the others' public keys (relayed by the
 * server). For each peer j, client i derives a shared secret by Diffie-Hellman, expands it with HKDF-SHA256
 * (salted with the round, so masks never repeat across rounds) into an AES-256-CTR keystream: the mask m_ij.
 * The client's weighted update, fixed-point encoded in the ring Z_2^32, is sent as
 *   y_i = q(w_i * x_i) + sum_{j > i} m_ij - sum_{j < i} m_ji   (mod 2^32),
 * which looks uniformly random to the server; the masks cancel in the sum over the cohort, so the server
 * learns sum_i w_i x_i and nothing else about one update.
 *
 * Limitation (stated, not recovered): if a cohort member drops after the keys are exchanged, its masks do not
 * cancel and the round's sum is unusable; the server discards the masked updates and repeats the key exchange
 * (fresh keys, a new `attempt`) with the sites that are still there, which mask the same trained update again
 * (src/fl/fl-server.ts). Bonawitz et al. recover with Shamir shares of each client's mask seed; medattn does not.
 */
import {
  createCipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';

/** Fixed-point scale: 2^-20 resolution, |w_i x_i| summed over the cohort must stay below 2^11 = 2048. */
const SCALE = 2 ** 20;
const LIMIT = 2 ** 11;

export interface MaskingKeys {
  publicKey: string; // raw X25519 public key, base64
  privateKey: KeyObject;
}

export function generateMaskingKeys(): MaskingKeys {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const raw = publicKey.export({ format: 'jwk' }).x!;
  return { publicKey: raw, privateKey };
}

function publicKeyFrom(raw: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw }, format: 'jwk' });
}

/** Whether `raw` is a well-formed X25519 public key as `generateMaskingKeys` publishes it. */
export function isMaskingPublicKey(raw: unknown): raw is string {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(raw)) return false;
  try {
    publicKeyFrom(raw);
    return true;
  } catch {
    return false;
  }
}

/** The mask shared by two clients for a round: the same bytes on both sides. */
function pairMask(
  privateKey: KeyObject,
  peerPublic: string,
  round: number,
  attempt: number,
  context: string,
  length: number,
): Uint32Array {
  const secret = diffieHellman({ privateKey, publicKey: publicKeyFrom(peerPublic) });
  const salt = attempt ? `round ${round} attempt ${attempt}` : `round ${round}`;
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.from(salt), Buffer.from(`medattn-secagg ${context}`), 32));
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const stream = Buffer.concat([cipher.update(Buffer.alloc(length * 4)), cipher.final()]);
  return new Uint32Array(stream.buffer, stream.byteOffset, length);
}

export interface CohortMember {
  id: string;
  publicKey: string;
}

/**
 * Client side: `update` multiplied by `weight` (its share of the cohort's samples), encoded and masked for
 * the cohort (which includes this client, `self`). Values are clamped to the encodable range.
 */
export function maskUpdate(
  update: Float32Array,
  weight: number,
  self: string,
  keys: MaskingKeys,
  cohort: readonly CohortMember[],
  round: number,
  attempt = 0,
): Uint32Array {
  const out = new Uint32Array(update.length);
  for (let k = 0; k < update.length; k++) {
    const v = Math.max(-LIMIT, Math.min(LIMIT, update[k] * weight));
    out[k] = Math.round(v * SCALE) >>> 0;
  }
  for (const peer of cohort) {
    if (peer.id === self) continue;
    const [a, b] = self < peer.id ? [self, peer.id] : [peer.id, self];
    const mask = pairMask(keys.privateKey, peer.publicKey, round, attempt, `${a}|${b}`, update.length);
    const sign = self < peer.id ? 1 : -1;
    for (let k = 0; k < out.length; k++) out[k] = (out[k] + sign * mask[k]) >>> 0;
  }
  return out;
}

/** Server side: the sum of the cohort's masked updates, decoded: sum_i w_i x_i. */
export function unmaskSum(masked: readonly Uint32Array[]): Float32Array {
  const length = masked[0]?.length ?? 0;
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) {
    let s = 0;
    for (const m of masked) s = (s + m[k]) >>> 0;
    out[k] = (s | 0) / SCALE; // back to signed 32-bit, then to float
  }
  return out;
}
