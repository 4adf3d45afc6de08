/**
 * Training losses. Classification: cross entropy (class weights, label smoothing) and focal loss (Lin et al.
 * 2017). Segmentation with one output channel (binary, sigmoid): BCE, soft Dice (Milletari et al. 2016) and
 * Dice + BCE, soft MCC (Abhishek & Hamarneh 2021), which also counts true negatives and so weighs a missed thin
 * vessel against the background's size, and for thin tubular structures (vessels) clDice (cldice-loss.ts) mixed
 * with Dice, with or without BCE; with K channels (softmax): cross entropy and Dice + CE. An optional
 * region-of-interest mask restricts segmentation losses to the pixels that count (DRIVE's field of view).
 */
import { F, type Tensor } from '../tensor/index.js';
import { clDiceLoss } from './cldice-loss.js';

export const LOSS_NAMES = [
  'cross_entropy',
  'focal',
  'bce',
  'dice',
  'dice_bce',
  'dice_ce',
  'cldice',
  'cldice_bce',
  'mcc',
  'mcc_bce',
] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export interface LossOptions {
  classWeights?: Tensor;
  focalGamma?: number;
  labelSmoothing?: number;
  /** cldice: the weight of clDice against soft Dice, (1 - alpha) Dice + alpha clDice (the paper's soft_dice_cldice). */
  cldiceAlpha?: number;
  /** cldice: soft-skeleton erosions; about the radius, in pixels, of the thickest structure to thin. */
  skeletonIterations?: number;
}

/** (output, target, roi?) -> scalar loss. Targets: class indices [N] (int64) or masks [N, 1, ...] (0/1 float). */
export type LossFn = (output: Tensor, target: Tensor, roi?: Tensor) => Tensor;

/** Focal loss FL = -w_y (1 - p_y)^gamma log p_y, averaged with the class weights as cross entropy does. */
export function focalLoss(logits: Tensor, target: Tensor, gamma: number, weight?: Tensor): Tensor {
  const logp = logits.logSoftmax(1).gather(1, target.unsqueeze(1)).squeeze(1);
  const modulating = logp.exp().rsub(1).pow(gamma);
  const perSample = modulating.mul(logp).neg();
  if (!weight) return perSample.mean();
  const w = weight.index([target]);
  return perSample.mul(w).sum().div(w.sum());
}

/** Soft Dice loss 1 - (2 sum(p t) + 1) / (sum p + sum t + 1) over the batch, inside the ROI. */
export function softDiceLoss(probs: Tensor, target: Tensor, roi?: Tensor): Tensor {
  const p = roi ? probs.mul(roi) : probs;
  const t = roi ? target.mul(roi) : target;
  const intersection = p.mul(t).sum();
  const denominator = p.sum().add(t.sum());
  return intersection.mul(2).add(1).div(denominator.add(1)).rsub(1);
}

/**
 * Soft MCC loss 1 - (TP TN - FP FN) / sqrt((TP + FP)(TP + FN)(TN + FP)(TN + FN)), the counts summed from
 * probabilities over the batch inside the ROI. They are taken as fractions of the pixels counted (MCC is
 * unchanged) so that the fourth-degree product stays far from float32's range.
 */
export function softMccLoss(probs: Tensor, target: Tensor, roi?: Tensor): Tensor {
  const p = roi ? probs.mul(roi) : probs;
  const t = roi ? target.mul(roi) : target;
  const n = roi ? roi.sum().clamp(1) : probs.numel;
  const tp = p.mul(t).sum().div(n);
  const predicted = p.sum().div(n); // TP + FP
  const actual = t.sum().div(n); // TP + FN
  const fp = predicted.sub(tp);
  const fn = actual.sub(tp);
  const tn = predicted.add(fn).rsub(1); // 1 - TP - FP - FN
  const numerator = tp.mul(tn).sub(fp.mul(fn));
  const denominator = predicted.mul(actual).mul(tn.add(fp)).mul(tn.add(fn)).add(1e-12).sqrt();
  return numerator.div(denominator).rsub(1);
}

/** Binary cross entropy with logits, averaged inside the ROI. */
export function maskedBce(logits: Tensor, target: Tensor, roi?: Tensor, posWeight?: Tensor): Tensor {
  if (!roi) return F.binaryCrossEntropyWithLogits(logits, target, { posWeight });
  const perPixel = F.binaryCrossEntropyWithLogits(logits, target, { posWeight, reduction: 'none' });
  return perPixel.mul(roi).sum().div(roi.sum().clamp(1));
}

export function createLoss(name: LossName, options: LossOptions = {}): LossFn {
  const { classWeights, focalGamma = 2, labelSmoothing = 0, cldiceAlpha = 0.5, skeletonIterations = 3 } = options;
  const diceClDice = (probs: Tensor, y: Tensor, roi?: Tensor) =>
    softDiceLoss(probs, y, roi)
      .mul(1 - cldiceAlpha)
      .add(clDiceLoss(probs, y, roi, skeletonIterations).mul(cldiceAlpha));
  switch (name) {
    case 'cross_entropy':
      return (out, masks, roi) => {
        const y = classIndices(out, masks);
        if (!roi || out.ndim === 2) return F.crossEntropy(out, y, { weight: classWeights, labelSmoothing });
        const perPixel = F.crossEntropy(out, y, { weight: classWeights, labelSmoothing, reduction: 'none' });
        const r = roi.squeeze(1);
        return perPixel.mul(r).sum().div(r.sum().clamp(1));
      };
    case 'focal':
      return (out, y) => focalLoss(out, y, focalGamma, classWeights);
    case 'bce':
      return (out, y, roi) => maskedBce(out, y, roi, classWeights);
    case 'dice':
      return (out, y, roi) => softDiceLoss(out.sigmoid(), y, roi);
    case 'dice_bce':
      return (out, y, roi) => softDiceLoss(out.sigmoid(), y, roi).add(maskedBce(out, y, roi, classWeights));
    case 'cldice':
      return (out, y, roi) => diceClDice(out.sigmoid(), y, roi);
    case 'cldice_bce':
      return (out, y, roi) => diceClDice(out.sigmoid(), y, roi).add(maskedBce(out, y, roi, classWeights));
    case 'mcc':
      return (out, y, roi) => softMccLoss(out.sigmoid(), y, roi);
    case 'mcc_bce':
      return (out, y, roi) => softMccLoss(out.sigmoid(), y, roi).add(maskedBce(out, y, roi, classWeights));
    case 'dice_ce':
      return (out, masks, roi) => {
        // Dice over the foreground classes of a softmax output, plus cross entropy.
        const y = classIndices(out, masks);
        const k = out.size(1);
        const probs = out.softmax(1).narrow(1, 1, k - 1);
        const target = oneHotChannels(y, k).narrow(1, 1, k - 1);
        const ce = createLoss('cross_entropy', options)(out, y, roi);
        return softDiceLoss(probs, target, roi).add(ce);
      };
  }
}

/**
 * Segmentation targets as class indices for a K-channel output: the loader's float masks [N, 1, ...] (0/1,
 * or 0..K-1 label maps) become int64 [N, ...]; class indices pass through.
 */
function classIndices(out: Tensor, y: Tensor): Tensor {
  if (y.dtype === 'int64') return y;
  const indices = y.ndim === out.ndim && y.size(1) === 1 ? y.squeeze(1) : y;
  return indices.round().to('int64');
}

/** Class indices [N, ...] -> one-hot float [N, K, ...]. */
function oneHotChannels(y: Tensor, k: number): Tensor {
  const h = F.oneHot(y, k).float();
  const order = [0, h.ndim - 1, ...Array.from({ length: h.ndim - 2 }, (_, i) => i + 1)];
  return h.permute(order);
}
