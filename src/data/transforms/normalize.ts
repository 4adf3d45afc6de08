/**
 * Intensity normalisation to zero mean / unit variance.
 *
 * - With `mean` and `std` (numbers or one per channel): x' = (x − mean) / std, fixed dataset statistics
 *   (e.g. ImageNet-style constants or values measured on the training split).
 * - Without them: z-score of this sample, over the whole image or per channel (`channelWise`). A constant
 *   image (std 0) is only centred, not divided, so it does not become NaN.
 * - `nonzero`: statistics over, and normalisation of, the non-zero pixels only (the background of skull-
 *   stripped MRI stays 0).
 */
import { mapImages, perChannel, resolveKeys, TransformError, type Sample, type Transform } from './transform.js';

export interface NormalizeOptions {
  keys?: string[];
  mean?: number | number[];
  std?: number | number[];
  channelWise?: boolean;
  nonzero?: boolean;
}

export class NormalizeIntensity implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: NormalizeOptions = {}) {
    this.keys = resolveKeys(opts).keys;
    if ((opts.mean === undefined) !== (opts.std === undefined)) {
      throw new TransformError('NormalizeIntensity: give both mean and std, or neither (per-sample z-score)');
    }
  }
  apply(sample: Sample): Sample {
    const { mean, std, channelWise = false, nonzero = false } = this.opts;
    return mapImages(sample, this.keys, 'NormalizeIntensity', (img) => {
      const C = img.shape[0];
      const plane = img.data.length / C;
      const out = new Float32Array(img.data.length);
      const src = img.data;
      const groups: [number, number][] =
        channelWise || mean !== undefined
          ? [...Array(C).keys()].map((c) => [c * plane, (c + 1) * plane])
          : [[0, src.length]];
      groups.forEach(([from, to], g) => {
        let m: number;
        let s: number;
        if (mean !== undefined && std !== undefined) {
          m = perChannel(mean, g, C, 'mean', 'NormalizeIntensity');
          s = perChannel(std, g, C, 'std', 'NormalizeIntensity');
          if (!(s > 0)) throw new TransformError(`NormalizeIntensity: std must be > 0, got ${s}`);
        } else {
          let n = 0;
          let sum = 0;
          for (let i = from; i < to; i++) {
            if (nonzero && src[i] === 0) continue;
            sum += src[i];
            n++;
          }
          m = n ? sum / n : 0;
          let ss = 0;
          for (let i = from; i < to; i++) if (!nonzero || src[i] !== 0) ss += (src[i] - m) * (src[i] - m);
          s = n ? Math.sqrt(ss / n) : 0;
          if (s === 0) s = 1;
        }
        for (let i = from; i < to; i++) out[i] = nonzero && src[i] === 0 ? 0 : (src[i] - m) / s;
      });
      return out;
    });
  }
}
