import type { Mask, SegmentationOptions } from './segmentation-input.js';

/**
 * Base of the accumulating segmentation metrics: `update(pred, target, roi?)` scores one image and keeps the
 * value; `compute()` is the mean over images, NaN values left out (MONAI's "mean" reduction); `count()` says
 * how many values the mean used.
 */
export abstract class PerImageMetric<O extends SegmentationOptions = SegmentationOptions> {
  private values: number[] = [];

  constructor(protected readonly options: Omit<O, 'roi'> = {} as Omit<O, 'roi'>) {}

  update(pred: Mask, target: Mask, roi?: Mask): this {
    this.values.push(this.score(pred, target, { ...this.options, roi } as O));
    return this;
  }

  /** Mean of the non-NaN per-image values; NaN when there is none. */
  compute(): number {
    let sum = 0;
    let n = 0;
    for (const v of this.values) {
      if (Number.isNaN(v)) continue;
      sum += v;
      n++;
    }
    return n === 0 ? NaN : sum / n;
  }

  /** Number of images whose value entered the mean (not NaN). */
  count(): number {
    return this.values.filter((v) => !Number.isNaN(v)).length;
  }

  /** Every per-image value in update order, NaN included. */
  perImage(): number[] {
    return [...this.values];
  }

  reset(): void {
    this.values = [];
  }

  protected abstract score(pred: Mask, target: Mask, options: O): number;
}
