/**
 * Seeded random numbers for augmentation: xoshiro128** seeded through splitmix32.
 *
 * Every random transform draws from an `Rng` it is handed, never from `Math.random`, so the same seed gives
 * the same augmented sample. `fork(n)` derives an independent child stream from this stream's *seed* (not
 * from how many numbers were drawn so far): `Rng.seeded(seed).fork(epoch).fork(index)` is a pure function of
 * (seed, epoch, index), which is what makes the loader's output independent of worker scheduling.
 */
export class Rng {
  /** The 64-bit key this stream was created from (two uint32 words); forks are derived from it. */
  private readonly key0: number;
  private readonly key1: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second Box-Muller value, kept for the next `normal()` call. */
  private spare: number | undefined;

  private constructor(key0: number, key1: number) {
    this.key0 = key0 >>> 0;
    this.key1 = key1 >>> 0;
    // splitmix32 expands the key into the 128-bit state (xoshiro must not start from all zeros).
    let x = (this.key0 ^ Math.imul(this.key1, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next() ^ this.key1;
    this.s1 = next();
    this.s2 = next() ^ this.key0;
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** A stream from an integer seed (any safe integer; negative and > 2^32 seeds are distinct). */
  static seeded(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    return new Rng(mix32(lo ^ 0x5bd1e995), mix32(hi + 0x27d4eb2f));
  }

  /** An independent child stream number `n`, a pure function of this stream's seed and `n`. */
  fork(n: number): Rng {
    if (!Number.isSafeInteger(n)) throw new RangeError(`Rng.fork expects a safe integer, got ${n}`);
    const lo = n >>> 0;
    const hi = Math.floor(n / 4294967296) >>> 0;
    return new Rng(mix32(this.key0 ^ mix32(lo + 0x165667b1)), mix32(this.key1 + mix32(hi ^ 0xd3a2646c) + lo));
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Rng.int expects n > 0, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** murmur3 finalizer: a cheap bijective 32-bit mix so nearby seeds give unrelated keys. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
