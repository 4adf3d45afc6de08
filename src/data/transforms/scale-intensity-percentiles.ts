/**
 * Robust rescaling: the `lower`/`upper` percentiles of this sample (0-100, linear interpolation between
 * order statistics as numpy's default) map to [bMin, bMax], clipped by default. Outliers (bright
 * annotations, metal, hot pixels) then do not squash the useful range as min/max scaling would.
 */
import { scaleRange } from './scale-intensity-range.js';
import { mapImages, resolveKeys, TransformError, type Sample, type Transform } from './transform.js';

export interface ScaleIntensityPercentilesOptions {
  keys?: string[];
  lower: number;
  upper: number;
  bMin?: number;
  bMax?: number;
  clip?: boolean;
  channelWise?: boolean;
}

/** numpy.percentile (linear) of the values in src[from, to). */
export function percentile(src: Float32Array, from: number, to: number, q: number): number {
  const sorted = src.slice(from, to).sort();
  const pos = (q / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i];
}

export class ScaleIntensityPercentiles implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: ScaleIntensityPercentilesOptions) {
    this.keys = resolveKeys(opts).keys;
    const { lower, upper } = opts;
    if (!(lower >= 0 && upper <= 100 && lower < upper)) {
      throw new TransformError(`ScaleIntensityPercentiles: need 0 <= lower < upper <= 100, got ${lower}, ${upper}`);
    }
  }
  apply(sample: Sample): Sample {
    const { lower, upper, bMin = 0, bMax = 1, clip = true, channelWise = false } = this.opts;
    return mapImages(sample, this.keys, 'ScaleIntensityPercentiles', (img) => {
      const out = new Float32Array(img.data.length);
      const C = channelWise ? img.shape[0] : 1;
      const n = img.data.length / C;
      for (let c = 0; c < C; c++) {
        const a = percentile(img.data, c * n, (c + 1) * n, lower);
        const b = percentile(img.data, c * n, (c + 1) * n, upper);
        scaleRange(img.data, c * n, (c + 1) * n, out, a, b, bMin, bMax, clip);
      }
      return out;
    });
  }
}
