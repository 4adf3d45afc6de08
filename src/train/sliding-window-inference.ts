/**
 * Sliding-window inference over a volume (or image) too large for the network, as MONAI's
 * `sliding_window_inference`: windows of `roi` size overlap by `overlap`, the last window of each axis is
 * shifted back inside the volume, and the predictions are blended with a Gaussian importance map (centre
 * voxels weigh more than border voxels, whose receptive field is cut off) so that seams do not show.
 * A volume smaller than the window is zero-padded symmetrically and cropped back.
 *
 * Pure TypeScript over Float32Arrays: the predictor (a model, an ONNX session) is a callback, so this needs
 * no libtorch.
 */
import { UserError } from '../user-error.js';

/** Bad sliding-window options are user errors (one line). */
export const SlidingWindowError = UserError;

export interface SlidingWindowOptions {
  /** Window size per spatial axis. */
  roi: readonly number[];
  /** Fraction of a window shared with the next one, 0 <= overlap < 1. MONAI's default 0.25. */
  overlap?: number;
  /** `gaussian` (default) or `constant` (plain average). */
  mode?: 'gaussian' | 'constant';
  /** Gaussian sigma as a fraction of the window size per axis. MONAI's default 0.125. */
  sigmaScale?: number;
  /** Windows per predictor call. Default 1. */
  batchSize?: number;
}

/** Predicts a batch of windows [n, C, ...roi] → [n, K, ...roi]; returns the flat output and K. */
export type WindowPredictor = (windows: Float32Array, n: number) => Promise<{ data: Float32Array; channels: number }>;

/**
 * MONAI's `compute_importance_map(mode="gaussian")`: the product over axes of exp(-x^2 / (2 sigma^2)) with
 * x = i - (size - 1) / 2 and sigma = sigmaScale * size, peak 1; then clamped below at max(min, 1e-3) as
 * `sliding_window_inference` does so that no voxel has zero weight.
 */
export function gaussianImportanceMap(roi: readonly number[], sigmaScale = 0.125): Float32Array {
  let map = Float64Array.of(1);
  for (const size of roi) {
    const sigma = size * sigmaScale;
    const g = Array.from({ length: size }, (_, i) => {
      const x = i - (size - 1) / 2;
      return Math.exp((x * x) / (-2 * sigma * sigma));
    });
    const next = new Float64Array(map.length * size);
    for (let a = 0; a < map.length; a++) for (let b = 0; b < size; b++) next[a * size + b] = map[a] * g[b];
    map = next;
  }
  const out = new Float32Array(map.length);
  let min = Infinity;
  for (let i = 0; i < map.length; i++) min = Math.min(min, (out[i] = map[i]));
  const floor = Math.max(min, 1e-3);
  for (let i = 0; i < out.length; i++) if (out[i] < floor) out[i] = floor;
  return out;
}

/** Window start offsets along one axis (MONAI's `_get_scan_interval` + `dense_patch_slices`). */
export function windowStarts(size: number, roi: number, overlap: number): number[] {
  if (roi >= size) return [0];
  const interval = Math.max(1, Math.floor(roi * (1 - overlap)));
  const starts: number[] = [];
  for (let start = 0; ; start += interval) {
    starts.push(Math.min(start, size - roi));
    if (start + roi >= size) break;
  }
  return starts;
}

/**
 * Runs `predict` over overlapping windows of `input` ([C, ...spatial], flat) and blends the outputs into
 * [K, ...spatial].
 */
export async function slidingWindowInference(
  input: Float32Array,
  shape: readonly number[],
  predict: WindowPredictor,
  options: SlidingWindowOptions,
): Promise<{ data: Float32Array; shape: number[] }> {
  const [C, ...spatial] = shape;
  const { roi, overlap = 0.25, mode = 'gaussian', sigmaScale = 0.125, batchSize = 1 } = options;
  if (roi.length !== spatial.length)
    throw new SlidingWindowError(
      `sliding window: roi has ${roi.length} axes, the input ${spatial.length} spatial axes`,
    );
  if (!(overlap >= 0 && overlap < 1))
    throw new SlidingWindowError(`sliding window: overlap must be in [0, 1), got ${overlap}`);
  if (roi.some((r) => !(Number.isInteger(r) && r > 0)))
    throw new SlidingWindowError(`sliding window: roi must be positive integers, got [${roi.join(', ')}]`);
  // Pad axes shorter than the window (symmetrically, zeros), as MONAI does.
  const padded = spatial.map((s, i) => Math.max(s, roi[i]));
  const before = spatial.map((s, i) => Math.floor((padded[i] - s) / 2));
  const nd = spatial.length;
  const strides = (dims: readonly number[]) => dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const inStrides = strides(spatial);
  const padStrides = strides(padded);
  const roiStrides = strides(roi);
  const inVoxels = spatial.reduce((a, b) => a * b, 1);
  const padVoxels = padded.reduce((a, b) => a * b, 1);
  const roiVoxels = roi.reduce((a, b) => a * b, 1);
  const weights = mode === 'gaussian' ? gaussianImportanceMap(roi, sigmaScale) : new Float32Array(roiVoxels).fill(1);

  const perAxis = padded.map((s, i) => windowStarts(s, roi[i], overlap));
  const windows: number[][] = [[]];
  for (const starts of perAxis) {
    const next: number[][] = [];
    for (const w of windows) for (const s of starts) next.push([...w, s]);
    windows.splice(0, windows.length, ...next);
  }

  // Index of each window voxel in the unpadded input, or -1 in the padding.
  const coord = new Array<number>(nd);
  const sourceIndex = (start: number[], r: number): number => {
    let idx = 0;
    for (let a = 0; a < nd; a++) {
      const c = Math.floor(r / roiStrides[a]) % roi[a];
      coord[a] = start[a] + c - before[a];
      if (coord[a] < 0 || coord[a] >= spatial[a]) return -1;
      idx += coord[a] * inStrides[a];
    }
    return idx;
  };
  const paddedIndex = (start: number[], r: number): number => {
    let idx = 0;
    for (let a = 0; a < nd; a++) idx += (start[a] + (Math.floor(r / roiStrides[a]) % roi[a])) * padStrides[a];
    return idx;
  };

  let sum: Float32Array | undefined;
  let K = 0;
  const count = new Float32Array(padVoxels);
  for (let b = 0; b < windows.length; b += batchSize) {
    const batch = windows.slice(b, b + batchSize);
    const x = new Float32Array(batch.length * C * roiVoxels);
    batch.forEach((start, n) => {
      for (let r = 0; r < roiVoxels; r++) {
        const src = sourceIndex(start, r);
        if (src < 0) continue;
        for (let c = 0; c < C; c++) x[(n * C + c) * roiVoxels + r] = input[c * inVoxels + src];
      }
    });
    const y = await predict(x, batch.length);
    if (!sum) {
      K = y.channels;
      sum = new Float32Array(K * padVoxels);
    }
    if (y.channels !== K || y.data.length !== batch.length * K * roiVoxels)
      throw new SlidingWindowError(
        `sliding window: the predictor returned ${y.data.length} values for ${batch.length} windows of ` +
          `${K} x ${roiVoxels}`,
      );
    batch.forEach((start, n) => {
      for (let r = 0; r < roiVoxels; r++) {
        const p = paddedIndex(start, r);
        const w = weights[r];
        count[p] += w;
        for (let k = 0; k < K; k++) sum![k * padVoxels + p] += w * y.data[(n * K + k) * roiVoxels + r];
      }
    });
  }
  // Divide by the summed weights and crop the padding away.
  const out = new Float32Array(K * inVoxels);
  for (let i = 0; i < inVoxels; i++) {
    let p = 0;
    for (let a = 0; a < nd; a++) p += ((Math.floor(i / inStrides[a]) % spatial[a]) + before[a]) * padStrides[a];
    for (let k = 0; k < K; k++) out[k * inVoxels + i] = sum![k * padVoxels + p] / count[p];
  }
  return { data: out, shape: [K, ...spatial] };
}
