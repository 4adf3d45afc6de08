/** Applies a transform with probability `p`, otherwise passes the sample through unchanged. */
import type { Rng } from './rng.js';
import { TransformError, type Sample, type Transform } from './transform.js';

export class RandomApply implements Transform {
  constructor(
    readonly transform: Transform,
    readonly p: number,
  ) {
    if (!(p >= 0 && p <= 1)) throw new TransformError(`RandomApply: p must be in [0, 1], got ${p}`);
  }
  check(sample: Sample): void {
    this.transform.check?.(sample);
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    // The coin uses its own fork so the wrapped transform sees the same stream whether or not it fires.
    if (!rng.fork(0).bernoulli(this.p)) return sample;
    return this.transform.apply(sample, rng.fork(1));
  }
}
