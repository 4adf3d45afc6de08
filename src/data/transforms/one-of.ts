/** Applies exactly one of several transforms, chosen at random with the given weights (uniform by default). */
import type { Rng } from './rng.js';
import { TransformError, type Sample, type Transform } from './transform.js';

export class OneOf implements Transform {
  private readonly cumulative: number[];
  constructor(
    readonly transforms: Transform[],
    weights?: number[],
  ) {
    if (transforms.length === 0) throw new TransformError('OneOf: needs at least one transform');
    const w = weights ?? transforms.map(() => 1);
    if (w.length !== transforms.length || w.some((x) => !(x >= 0)) || w.reduce((a, b) => a + b, 0) <= 0) {
      throw new TransformError(`OneOf: weights must be ${transforms.length} non-negative numbers with a positive sum`);
    }
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.cumulative = w.map((x) => (acc += x / total));
  }
  check(sample: Sample): void {
    for (const t of this.transforms) t.check?.(sample);
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    const u = rng.fork(0).next();
    let i = this.cumulative.findIndex((c) => u < c);
    if (i < 0) i = this.transforms.length - 1;
    return this.transforms[i].apply(sample, rng.fork(1));
  }
}
