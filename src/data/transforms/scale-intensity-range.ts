/**
 * Linear intensity rescaling from [aMin, aMax] to [bMin, bMax], optionally clipping to [bMin, bMax]
 * (e.g. CT Hounsfield units [-1000, 1000] → [0, 1]).
 */
import { mapImages, resolveKeys, TransformError, type Sample, type Transform } from './transform.js';

export interface ScaleIntensityRangeOptions {
  keys?: string[];
  aMin: number;
  aMax: number;
  bMin?: number;
  bMax?: number;
  clip?: boolean;
}

/** out = (x − aMin) / (aMax − aMin) · (bMax − bMin) + bMin, clipped to [bMin, bMax] when `clip`. */
export function scaleRange(
  src: Float32Array,
  from: number,
  to: number,
  out: Float32Array,
  aMin: number,
  aMax: number,
  bMin: number,
  bMax: number,
  clip: boolean,
): void {
  const span = aMax - aMin;
  // A constant input (aMax == aMin) maps to bMin rather than dividing by zero.
  const k = span === 0 ? 0 : (bMax - bMin) / span;
  const lo = Math.min(bMin, bMax);
  const hi = Math.max(bMin, bMax);
  for (let i = from; i < to; i++) {
    let v = (src[i] - aMin) * k + bMin;
    if (clip) v = v < lo ? lo : v > hi ? hi : v;
    out[i] = v;
  }
}

export class ScaleIntensityRange implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: ScaleIntensityRangeOptions) {
    this.keys = resolveKeys(opts).keys;
    if (!Number.isFinite(opts.aMin) || !Number.isFinite(opts.aMax)) {
      throw new TransformError('ScaleIntensityRange: aMin and aMax must be finite numbers');
    }
  }
  apply(sample: Sample): Sample {
    const { aMin, aMax, bMin = 0, bMax = 1, clip = false } = this.opts;
    return mapImages(sample, this.keys, 'ScaleIntensityRange', (img) => {
      const out = new Float32Array(img.data.length);
      scaleRange(img.data, 0, out.length, out, aMin, aMax, bMin, bMax, clip);
      return out;
    });
  }
}
