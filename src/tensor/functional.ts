/**
 * Neural-network operations as functions (torch.nn.functional): convolution, pooling, normalisation,
 * resampling, dropout, embedding, losses and scaled dot-product attention.
 */
import { aten, reductionCode, Tensor, type Reduction } from './tensor.js';

type IntOrTuple = number | number[];

export interface ConvOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
}

export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return aten('linear', x, weight, bias ?? null);
}

function conv(name: string, x: Tensor, w: Tensor, b: Tensor | undefined, o: ConvOptions): Tensor {
  return aten(name, x, w, b ?? null, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1);
}
export const conv1d = (x: Tensor, w: Tensor, b?: Tensor, o: ConvOptions = {}) => conv('conv1d', x, w, b, o);
export const conv2d = (x: Tensor, w: Tensor, b?: Tensor, o: ConvOptions = {}) => conv('conv2d', x, w, b, o);
export const conv3d = (x: Tensor, w: Tensor, b?: Tensor, o: ConvOptions = {}) => conv('conv3d', x, w, b, o);

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: IntOrTuple;
}
function convTranspose(name: string, x: Tensor, w: Tensor, b: Tensor | undefined, o: ConvTransposeOptions): Tensor {
  return aten(
    name,
    x,
    w,
    b ?? null,
    o.stride ?? 1,
    o.padding ?? 0,
    o.outputPadding ?? 0,
    o.groups ?? 1,
    o.dilation ?? 1,
  );
}
export const convTranspose2d = (x: Tensor, w: Tensor, b?: Tensor, o: ConvTransposeOptions = {}) =>
  convTranspose('conv_transpose2d.input', x, w, b, o);
export const convTranspose3d = (x: Tensor, w: Tensor, b?: Tensor, o: ConvTransposeOptions = {}) =>
  convTranspose('conv_transpose3d.input', x, w, b, o);

// ---- normalisation ----
export interface BatchNormOptions {
  weight?: Tensor;
  bias?: Tensor;
  runningMean?: Tensor;
  runningVar?: Tensor;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
/** Batch norm; in training mode it updates runningMean/runningVar in place, as PyTorch does. */
export function batchNorm(x: Tensor, o: BatchNormOptions = {}): Tensor {
  return aten(
    'batch_norm',
    x,
    o.weight ?? null,
    o.bias ?? null,
    o.runningMean ?? null,
    o.runningVar ?? null,
    o.training ?? true,
    o.momentum ?? 0.1,
    o.eps ?? 1e-5,
    false,
  );
}
export function layerNorm(x: Tensor, normalizedShape: number[], weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return aten('layer_norm', x, normalizedShape, weight ?? null, bias ?? null, eps, false);
}
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return aten('group_norm', x, numGroups, weight ?? null, bias ?? null, eps, false);
}
export function instanceNorm(x: Tensor, o: BatchNormOptions & { useInputStats?: boolean } = {}): Tensor {
  return aten(
    'instance_norm',
    x,
    o.weight ?? null,
    o.bias ?? null,
    o.runningMean ?? null,
    o.runningVar ?? null,
    o.useInputStats ?? true,
    o.momentum ?? 0.1,
    o.eps ?? 1e-5,
    false,
  );
}

// ---- pooling ----
export interface PoolOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  ceilMode?: boolean;
}
export function maxPool1d(x: Tensor, kernel: IntOrTuple, o: PoolOptions = {}): Tensor {
  return aten('max_pool1d', x, kernel, o.stride ?? kernel, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false);
}
export function maxPool2d(x: Tensor, kernel: IntOrTuple, o: PoolOptions = {}): Tensor {
  return aten('max_pool2d', x, kernel, o.stride ?? kernel, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false);
}
export function maxPool3d(x: Tensor, kernel: IntOrTuple, o: PoolOptions = {}): Tensor {
  return aten('max_pool3d', x, kernel, o.stride ?? kernel, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false);
}
export function avgPool1d(x: Tensor, kernel: IntOrTuple, o: PoolOptions = {}): Tensor {
  return aten('avg_pool1d', x, kernel, o.stride ?? kernel, o.padding ?? 0, o.ceilMode ?? false, true);
}
export function avgPool2d(x: Tensor, kernel: IntOrTuple, o: PoolOptions = {}): Tensor {
  return aten('avg_pool2d', x, kernel, o.stride ?? kernel, o.padding ?? 0, o.ceilMode ?? false, true, null);
}
export function avgPool3d(x: Tensor, kernel: IntOrTuple, o: PoolOptions = {}): Tensor {
  return aten('avg_pool3d', x, kernel, o.stride ?? kernel, o.padding ?? 0, o.ceilMode ?? false, true, null);
}
export function adaptiveAvgPool1d(x: Tensor, size: IntOrTuple): Tensor {
  return aten('adaptive_avg_pool1d', x, size);
}
export function adaptiveAvgPool2d(x: Tensor, size: IntOrTuple): Tensor {
  return aten('adaptive_avg_pool2d', x, size);
}
export function adaptiveAvgPool3d(x: Tensor, size: IntOrTuple): Tensor {
  return aten('adaptive_avg_pool3d', x, size);
}
export function adaptiveMaxPool2d(x: Tensor, size: IntOrTuple): Tensor {
  const [out, indices] = aten('adaptive_max_pool2d', x, size) as Tensor[];
  indices.dispose();
  return out;
}
export function adaptiveMaxPool3d(x: Tensor, size: IntOrTuple): Tensor {
  const [out, indices] = aten('adaptive_max_pool3d', x, size) as Tensor[];
  indices.dispose();
  return out;
}

// ---- resampling ----
export type InterpolateMode = 'nearest' | 'bilinear' | 'trilinear' | 'linear';
export interface InterpolateOptions {
  size?: number[];
  scaleFactor?: number | number[];
  mode?: InterpolateMode;
  alignCorners?: boolean;
}
/** torch.nn.functional.interpolate for 3-D (linear), 4-D (bilinear) and 5-D (trilinear) inputs. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  const spatial = x.ndim - 2;
  const mode = o.mode ?? 'nearest';
  const scales =
    o.scaleFactor === undefined
      ? null
      : typeof o.scaleFactor === 'number'
        ? Array(spatial).fill(o.scaleFactor)
        : o.scaleFactor;
  const size = o.size ?? null;
  if (size === null && scales === null) throw new Error('interpolate: give size or scaleFactor');
  if (mode === 'nearest') {
    const name = ['upsample_nearest1d.vec', 'upsample_nearest2d.vec', 'upsample_nearest3d.vec'][spatial - 1];
    return aten(name, x, size, scales);
  }
  const expected = { linear: 1, bilinear: 2, trilinear: 3 }[mode];
  if (spatial !== expected)
    throw new Error(`interpolate: mode '${mode}' needs ${expected + 2}-D input, got shape [${x.shape}]`);
  const name = {
    linear: 'upsample_linear1d.vec',
    bilinear: 'upsample_bilinear2d.vec',
    trilinear: 'upsample_trilinear3d.vec',
  }[mode];
  return aten(name, x, size, o.alignCorners ?? false, scales);
}

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}
/** Samples `x` at normalised grid locations in [-1, 1] (torch.nn.functional.grid_sample). */
export function gridSample(x: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  const mode = { bilinear: 0, nearest: 1, bicubic: 2 }[o.mode ?? 'bilinear'];
  const pad = { zeros: 0, border: 1, reflection: 2 }[o.paddingMode ?? 'zeros'];
  return aten('grid_sampler', x, grid, mode, pad, o.alignCorners ?? false);
}
/** Sampling grid for affine matrices `theta` [N, 2, 3] (or [N, 3, 4] in 3-D) and output size [N, C, ...]. */
export function affineGrid(theta: Tensor, size: number[], alignCorners = false): Tensor {
  return aten('affine_grid_generator', theta, size, alignCorners);
}

/** Constant, reflect, replicate or circular padding; `pad` lists (before, after) pairs from the last dim. */
export function pad(
  x: Tensor,
  padding: number[],
  mode: 'constant' | 'reflect' | 'replicate' | 'circular' = 'constant',
  value = 0,
): Tensor {
  if (mode === 'constant') return aten('constant_pad_nd', x, padding, value);
  const dims = padding.length / 2;
  const name = { reflect: 'reflection_pad', replicate: 'replication_pad', circular: '_pad_circular' }[mode];
  if (mode === 'circular') return aten('_pad_circular', x, padding);
  return aten(`${name}${dims}d`, x, padding);
}

// ---- regularisation and lookup ----
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return aten('dropout', x, p, training);
}
/** Drops whole channels (nn.Dropout2d/3d). */
export function featureDropout(x: Tensor, p: number, training: boolean): Tensor {
  return aten('feature_dropout', x, p, training);
}
export function embedding(weight: Tensor, indices: Tensor, paddingIdx = -1): Tensor {
  return aten('embedding', weight, indices, paddingIdx, false, false);
}
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  return aten('one_hot', indices, numClasses);
}

// ---- losses ----
export interface CrossEntropyOptions {
  weight?: Tensor;
  reduction?: Reduction;
  ignoreIndex?: number;
  labelSmoothing?: number;
}
/** Cross entropy from logits [N, C, ...] and class indices [N, ...] (or class probabilities [N, C, ...]). */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  return aten(
    'cross_entropy_loss',
    logits,
    target,
    o.weight ?? null,
    reductionCode[o.reduction ?? 'mean'],
    o.ignoreIndex ?? -100,
    o.labelSmoothing ?? 0,
  );
}
export function nllLoss(logProbs: Tensor, target: Tensor, o: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  return aten(
    'nll_loss_nd',
    logProbs,
    target,
    o.weight ?? null,
    reductionCode[o.reduction ?? 'mean'],
    o.ignoreIndex ?? -100,
  );
}
export interface BCEOptions {
  weight?: Tensor;
  posWeight?: Tensor;
  reduction?: Reduction;
}
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, o: BCEOptions = {}): Tensor {
  return aten(
    'binary_cross_entropy_with_logits',
    logits,
    target,
    o.weight ?? null,
    o.posWeight ?? null,
    reductionCode[o.reduction ?? 'mean'],
  );
}
export function mseLoss(x: Tensor, y: Tensor, reduction: Reduction = 'mean'): Tensor {
  return aten('mse_loss', x, y, reductionCode[reduction]);
}
export function l1Loss(x: Tensor, y: Tensor, reduction: Reduction = 'mean'): Tensor {
  return aten('l1_loss', x, y, reductionCode[reduction]);
}
export function smoothL1Loss(x: Tensor, y: Tensor, reduction: Reduction = 'mean', beta = 1): Tensor {
  return aten('smooth_l1_loss', x, y, reductionCode[reduction], beta);
}

// ---- attention ----
export interface AttentionOptions {
  /** Boolean mask (true = attend) or additive float mask, broadcastable to [..., Lq, Lk]. */
  mask?: Tensor;
  dropout?: number;
  training?: boolean;
  /** Also return the attention weights softmax(QK^T / sqrt(d_k)). */
  returnWeights?: boolean;
}
/**
 * Scaled dot-product attention, softmax(QK^T / sqrt(d_k)) V (Vaswani et al. 2017), for q [..., Lq, d],
 * k [..., Lk, d], v [..., Lk, dv]. Written from matmul and softmax so it exports to ONNX opset 17.
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  o: AttentionOptions = {},
): { output: Tensor; weights?: Tensor } {
  const scale = 1 / Math.sqrt(q.size(-1));
  const kt = k.transpose(-2, -1);
  const qs = q.mul(scale);
  let scores = qs.matmul(kt);
  kt.dispose();
  qs.dispose();
  if (o.mask) {
    let masked: Tensor;
    if (o.mask.dtype === 'bool') {
      const blocked = o.mask.logicalNot();
      masked = scores.maskedFill(blocked, -Infinity);
      blocked.dispose();
    } else masked = scores.add(o.mask);
    scores.dispose();
    scores = masked;
  }
  const weights = scores.softmax(-1);
  scores.dispose();
  if (o.dropout && o.training) {
    const dropped = dropout(weights, o.dropout, true);
    if (!o.returnWeights) weights.dispose();
    const output = dropped.matmul(v);
    dropped.dispose();
    return { output, weights: o.returnWeights ? weights : undefined };
  }
  const output = weights.matmul(v);
  if (!o.returnWeights) {
    weights.dispose();
    return { output };
  }
  return { output, weights };
}
