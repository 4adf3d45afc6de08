/**
 * clDice (Shit et al., "clDice - a Novel Topology-Preserving Loss Function for Tubular Structure Segmentation",
 * CVPR 2021): Dice between each mask's soft skeleton and the other mask. Topology precision is the share of the
 * predicted skeleton inside the true mask, topology sensitivity the share of the true skeleton the prediction
 * covers; clDice is their harmonic mean. Thin vessels count as much as thick ones, because each contributes
 * its centreline rather than its area.
 *
 * The soft skeleton is the paper's iterative min/max-pooling approximation of morphological skeletonisation
 * (its reference code: 3x1 and 1x3 min-pools for erosion, a 3x3 max-pool for dilation; 3D adds the third axis).
 */
import { F, type Tensor } from '../tensor/index.js';

/** Soft erosion: the minimum over the plus-shaped neighbourhood (a min-pool along each axis). */
function softErode(x: Tensor): Tensor {
  const spatial = x.ndim - 2;
  let out: Tensor | undefined;
  for (let axis = 0; axis < spatial; axis++) {
    const kernel = Array.from({ length: spatial }, (_, i) => (i === axis ? 3 : 1));
    const padding = kernel.map((k) => (k - 1) / 2);
    const neg = x.neg();
    const pooled = (spatial === 3 ? F.maxPool3d : F.maxPool2d)(neg, kernel, { stride: 1, padding }).neg();
    out = out ? out.minimum(pooled) : pooled;
  }
  return out!;
}

/** Soft dilation: a 3x3 (3x3x3) max-pool. */
function softDilate(x: Tensor): Tensor {
  return x.ndim === 5 ? F.maxPool3d(x, 3, { stride: 1, padding: 1 }) : F.maxPool2d(x, 3, { stride: 1, padding: 1 });
}

/** The soft skeleton of probabilities `x` [N, C, ...spatial] after `iterations` erosions (the paper's soft_skel). */
export function softSkeleton(x: Tensor, iterations: number): Tensor {
  let img = x;
  let skeleton = img.sub(softDilate(softErode(img))).relu();
  for (let i = 0; i < iterations; i++) {
    img = softErode(img);
    const delta = img.sub(softDilate(softErode(img))).relu();
    skeleton = skeleton.add(delta.sub(skeleton.mul(delta)).relu());
  }
  return skeleton;
}

/** 1 - clDice of probabilities against a 0/1 target, over the batch, inside the ROI (smoothing 1, as in the paper). */
export function clDiceLoss(probs: Tensor, target: Tensor, roi?: Tensor, iterations = 3): Tensor {
  const p = roi ? probs.mul(roi) : probs;
  const t = roi ? target.mul(roi) : target;
  const skeletonP = softSkeleton(p, iterations);
  const skeletonT = softSkeleton(t, iterations);
  const precision = skeletonP.mul(t).sum().add(1).div(skeletonP.sum().add(1));
  const sensitivity = skeletonT.mul(p).sum().add(1).div(skeletonT.sum().add(1));
  return precision.mul(sensitivity).mul(2).div(precision.add(sensitivity)).rsub(1);
}
