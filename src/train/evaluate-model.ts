/**
 * Runs a model over an evaluation loader without gradients and computes the metrics of the CLI contract:
 * classification (n, accuracy, auroc, precision, recall, specificity, f1, ...) or segmentation (n, dice,
 * iou, auroc, hd95 as per-image means, plus pooled pixel F1/AUROC inside the ROI as papers report them).
 */
import type { Loader } from '../data/loader/index.js';
import {
  binaryAuroc,
  classificationReport,
  segmentationReport,
  selectThreshold,
  type SegmentationReport,
} from '../metrics/index.js';
import type { SegmentationSample } from '../metrics/segmentation-report.js';
import { noGrad, tensor, tidy, type Device, type Tensor } from '../tensor/index.js';
import { flipAveragedLogits } from './test-time-flips.js';
import { slidingWindowInference, type SlidingWindowOptions } from './sliding-window-inference.js';
import { cropTo, foregroundProbability, padToMultiple } from './pad-to-multiple.js';
import type { Module } from '../nn/index.js';
import { batchTensors } from './batch-tensors.js';

/** The device a model's parameters live on (inputs must go there too). */
function deviceOf(model: Module): Device {
  return (model.parameters()[0]?.device ?? 'cpu') as Device;
}

/** Receives the files a skipBad dataset could not read. */
export type SkipListener = (skipped: { file: string; reason: string }[]) => void;

export interface ClassificationEvaluation {
  metrics: Record<string, unknown>;
  /** Positive-class probability (binary) or [N, K] probabilities. */
  probs: Float32Array;
  labels: Int32Array;
  loss: number;
}

export interface SegmentationEvaluation {
  metrics: Record<string, unknown>;
  /** Per-image probabilities, targets and ROIs (kept for reports; up to `keep` images). */
  examples: { image: Float32Array; shape: number[]; prob: Float32Array; target: Float32Array; roi?: Float32Array }[];
  loss: number;
}

export async function evaluateClassifier(
  model: Module,
  loader: Loader,
  options: {
    threshold?: number | 'youden' | 'f1';
    lossFn?: (o: Tensor, y: Tensor) => Tensor;
    onSkipped?: SkipListener;
  } = {},
): Promise<ClassificationEvaluation> {
  model.eval();
  const probs: number[] = [];
  const labels: number[] = [];
  let lossSum = 0;
  let n = 0;
  let k = 0;
  for await (const batch of loader.epoch(0)) {
    if (batch.skipped) options.onSkipped?.(batch.skipped);
    if (!batch.fields.image) continue; // every sample of the batch was unreadable and skipped
    tidy(() =>
      noGrad(() => {
        const { x, y } = batchTensors(batch, 'classification', undefined, deviceOf(model));
        const logits = model.forward(x) as Tensor;
        if (options.lossFn) lossSum += options.lossFn(logits, y).item() * x.size(0);
        k = logits.size(1);
        const p = logits.softmax(1);
        const values = (k === 2 ? p.select(1, 1) : p).toArray() as Float32Array;
        for (const v of values) probs.push(v);
        for (const v of y.toArray() as BigInt64Array) labels.push(Number(v));
        n += x.size(0);
      }),
    );
  }
  const probArray = Float32Array.from(probs);
  const labelArray = Int32Array.from(labels);
  let threshold = typeof options.threshold === 'number' ? options.threshold : 0.5;
  if (k === 2 && (options.threshold === 'youden' || options.threshold === 'f1'))
    threshold = selectThreshold(probArray, labelArray, options.threshold).midpoint;
  const metrics = classificationReport(probArray, labelArray, k === 2 ? { threshold } : {}) as unknown as Record<
    string,
    unknown
  >;
  return { metrics, probs: probArray, labels: labelArray, loss: n ? lossSum / n : NaN };
}

export async function evaluateSegmenter(
  model: Module,
  loader: Loader,
  options: {
    roiKey?: string;
    padMultiple?: number;
    keep?: number;
    lossFn?: (o: Tensor, y: Tensor, roi?: Tensor) => Tensor;
    onSkipped?: SkipListener;
    /** Predict each image or volume by overlapping windows blended with Gaussian weights instead of whole. */
    slidingWindow?: SlidingWindowOptions;
    /** Voxel spacing for HD95 (mm), when the images do not differ. */
    spacing?: readonly number[];
    /** Average the logits over mirror images (test-time-flips.ts). */
    testTimeFlips?: boolean;
  } = {},
): Promise<SegmentationEvaluation> {
  model.eval();
  const samples: SegmentationSample[] = [];
  const examples: SegmentationEvaluation['examples'] = [];
  const pooledScores: number[] = [];
  const pooledTargets: number[] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let lossSum = 0;
  let n = 0;
  for await (const batch of loader.epoch(0)) {
    if (batch.skipped) options.onSkipped?.(batch.skipped);
    if (!batch.fields.image) continue;
    const forward = (t: Tensor) =>
      options.testTimeFlips ? flipAveragedLogits((v) => model.forward(v) as Tensor, t) : (model.forward(t) as Tensor);
    const windowed = options.slidingWindow
      ? await slidingWindowLogits(forward, deviceOf(model) as Device, batch, options.slidingWindow)
      : undefined;
    tidy(() =>
      noGrad(() => {
        const { x, y, roi } = batchTensors(batch, 'segmentation', options.roiKey, deviceOf(model));
        let logits: Tensor;
        let spatial = x.shape.slice(2);
        if (windowed) logits = tensor(windowed.data, { shape: windowed.shape }).to(x.device as Device);
        else {
          const fit = padToMultiple(x, options.padMultiple ?? 16);
          spatial = fit.spatial;
          logits = cropTo(forward(fit.padded), spatial);
        }
        if (options.lossFn) lossSum += options.lossFn(logits, y, roi).item() * x.size(0);
        const prob = foregroundProbability(logits);
        for (let i = 0; i < x.size(0); i++) {
          const p = prob.select(0, i).select(0, 0).toArray() as Float32Array;
          const t = y.select(0, i).select(0, 0).toArray() as Float32Array;
          const r = roi ? (roi.select(0, i).select(0, 0).toArray() as Float32Array) : undefined;
          const shape2d = spatial;
          samples.push({
            pred: { data: p, shape: shape2d },
            target: { data: t, shape: shape2d },
            roi: r ? { data: r, shape: shape2d } : undefined,
          });
          for (let j = 0; j < p.length; j++) {
            if (r && r[j] < 0.5) continue;
            const positive = t[j] >= 0.5;
            const predicted = p[j] >= 0.5;
            if (predicted && positive) tp++;
            else if (predicted) fp++;
            else if (positive) fn++;
            // Pooled AUROC on a regular subsample keeps memory bounded for large validation sets.
            if (j % 4 === 0) {
              pooledScores.push(p[j]);
              pooledTargets.push(positive ? 1 : 0);
            }
          }
          if (examples.length < (options.keep ?? 4))
            examples.push({
              image: x.select(0, i).toArray() as Float32Array,
              shape: x.shape.slice(1),
              prob: p,
              target: t,
              roi: r,
            });
        }
        n += x.size(0);
      }),
    );
  }
  const report: SegmentationReport = segmentationReport(samples, { spacing: options.spacing });
  const metrics: Record<string, unknown> = {
    ...report,
    pooled_f1: (2 * tp) / Math.max(1, 2 * tp + fp + fn),
    pooled_auroc: binaryAuroc(Float32Array.from(pooledScores), Uint8Array.from(pooledTargets)),
  };
  return { metrics, examples, loss: n ? lossSum / n : NaN };
}

/** Logits [N, K, ...spatial] of a batch, each image predicted by sliding windows (sliding-window-inference.ts). */
async function slidingWindowLogits(
  forward: (x: Tensor) => Tensor,
  device: Device,
  batch: Parameters<typeof batchTensors>[0],
  sw: SlidingWindowOptions,
): Promise<{ data: Float32Array; shape: number[] }> {
  const { images, shape } = tidy(() => {
    const { x } = batchTensors(batch, 'segmentation', undefined, 'cpu');
    return { images: Array.from({ length: x.size(0) }, (_, i) => x.select(0, i).toFloat32Array()), shape: x.shape };
  });
  const [, C, ...spatial] = shape;
  const predict = async (windows: Float32Array, n: number) =>
    tidy(() =>
      noGrad(() => {
        const out = forward(tensor(windows, { shape: [n, C, ...sw.roi] }).to(device));
        return { data: out.to('cpu').toFloat32Array(), channels: out.size(1) };
      }),
    );
  const outputs = [];
  for (const image of images) outputs.push(await slidingWindowInference(image, [C, ...spatial], predict, sw));
  const perImage = outputs[0].data.length;
  const data = new Float32Array(images.length * perImage);
  outputs.forEach((o, i) => data.set(o.data, i * perImage));
  return { data, shape: [images.length, ...outputs[0].shape] };
}
