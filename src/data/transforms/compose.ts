/**
 * Runs transforms in order. Transform i draws from `rng.fork(i)`, so adding, removing or skipping (a
 * `RandomApply` that does not fire) one transform does not change the random draws of the others.
 */
import type { Rng } from './rng.js';
import type { Sample, Transform } from './transform.js';

export class Compose implements Transform {
  readonly transforms: Transform[];
  constructor(transforms: Transform[]) {
    this.transforms = transforms;
  }
  /** Deterministic when every transform is. */
  get deterministic(): boolean {
    return this.transforms.every((t) => t.deterministic === true);
  }
  apply(sample: Sample, rng: Rng): Sample {
    return this.applyFrom(sample, rng, 0);
  }
  /**
   * Transforms `start..` only, each still on its own `rng.fork(i)`: on the output of the first `start`
   * transforms this gives what `apply` gives (how a cached deterministic prefix is skipped, bit for bit).
   */
  applyFrom(sample: Sample, rng: Rng, start: number): Sample {
    let s = sample;
    for (let i = start; i < this.transforms.length; i++) s = this.transforms[i].apply(s, rng.fork(i));
    return s;
  }
}
