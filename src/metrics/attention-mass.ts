import { MetricInputError } from './metric-input-error.js';
import { checkMasks, type Mask } from './segmentation-input.js';

export interface AttentionMass {
  /** Share of the map's mass (sum of its non-negative values) that lies on target pixels, inside the ROI. */
  fraction: number;
  /** Share of the ROI's pixels that are target: what a uniform map would score. */
  prevalence: number;
  /** fraction / prevalence: 1 = no better than uniform, higher = the map concentrates on the target. */
  lift: number;
}

/**
 * How well an attention or saliency map localises a structure (e.g. vessels on DRIVE): the fraction of the
 * map's mass on target pixels (target >= 0.5), counting only pixels inside the ROI, with the target's
 * prevalence as the uniform-map baseline. Negative map values are an input error (maps are weights).
 */
export function attentionMass(map: Mask, target: Mask, roi?: Mask): AttentionMass {
  const n = checkMasks('attentionMass', map, { name: 'target', mask: target }, { name: 'roi', mask: roi });
  let total = 0;
  let onTarget = 0;
  let pixels = 0;
  let targetPixels = 0;
  for (let i = 0; i < n; i++) {
    if (roi && roi.data[i] === 0) continue;
    const v = map.data[i];
    if (!(v >= 0)) throw new MetricInputError('attentionMass', `map value ${v} at ${i} is not a non-negative weight`);
    const isTarget = target.data[i] >= 0.5;
    total += v;
    pixels++;
    if (isTarget) {
      onTarget += v;
      targetPixels++;
    }
  }
  if (pixels === 0) throw new MetricInputError('attentionMass', 'the ROI holds no pixel');
  const prevalence = targetPixels / pixels;
  const fraction = total > 0 ? onTarget / total : prevalence; // an all-zero map is as uninformative as a uniform one
  return { fraction, prevalence, lift: prevalence > 0 ? fraction / prevalence : NaN };
}
