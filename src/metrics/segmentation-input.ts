import { MetricInputError } from './metric-input-error.js';

/**
 * One image's mask or probability map: row-major values with their spatial shape, [H, W] for 2D or
 * [D, H, W] for 3D (any rank works). Uint8Array, Float32Array or any numeric array.
 */
export interface Mask {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export interface SegmentationOptions {
  /** Only pixels where the ROI is non-zero are scored; the rest are ignored as if absent. */
  roi?: Mask;
  /** A value is foreground when >= threshold (applies to prediction and target). Default 0.5. */
  threshold?: number;
}

/** Checks that the masks agree in shape with `reference` and hold as many values as it says. */
export function checkMasks(where: string, reference: Mask, ...others: { name: string; mask?: Mask }[]): number {
  const size = reference.shape.reduce((a, b) => a * b, 1);
  if (reference.shape.length === 0 || reference.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new MetricInputError(where, `shape [${reference.shape.join(', ')}] is not a list of sizes`);
  }
  if (reference.data.length !== size) {
    throw new MetricInputError(where, `prediction has ${reference.data.length} values, shape says ${size}`);
  }
  for (const { name, mask } of others) {
    if (!mask) continue;
    if (mask.shape.length !== reference.shape.length || mask.shape.some((d, i) => d !== reference.shape[i])) {
      throw new MetricInputError(
        where,
        `${name} shape [${mask.shape.join(', ')}] differs from prediction shape [${reference.shape.join(', ')}]`,
      );
    }
    if (mask.data.length !== size)
      throw new MetricInputError(where, `${name} has ${mask.data.length} values, shape says ${size}`);
  }
  return size;
}

/** Binary foreground (value >= threshold) restricted to the ROI: 1 = foreground inside the ROI. */
export function foreground(mask: Mask, threshold: number, roi?: Mask): Uint8Array {
  const n = mask.data.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = mask.data[i] >= threshold && (!roi || roi.data[i] !== 0) ? 1 : 0;
  return out;
}
