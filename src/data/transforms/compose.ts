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
  apply(sample: Sample, rng: Rng): Sample {
    let s = sample;
    for (let i = 0; i < this.transforms.length; i++) s = this.transforms[i].apply(s, rng.fork(i));
    return s;
  }
}
