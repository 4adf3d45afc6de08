/**
 * The `detection` task: what the trainer needs beyond classification and segmentation.
 * - Targets are rendered in the loader (the `centerNetTargets` transform appended to both pipelines), so a
 *   batch carries `heatmap`, `regression`, `regMask` and padded `gtBoxes` as fixed-shape fields.
 * - The batch target is one tensor [N, K + 5, H/4, W/4] (heatmap, size, offset, mask) and the loss unpacks it,
 *   so the trainer's step stays (output, target) -> loss as for the other tasks.
 * - Evaluation decodes boxes (peak picking, top-100, class-wise NMS), maps them back to the file's pixels
 *   (through `imageSize`; the eval transforms must only resize) and scores COCO mAP with per-class AP.
 */
import type { Batch } from '../../data/loader/index.js';
import type { TransformSpec } from '../../data/transforms/index.js';
import { DetectionMap, type DetectionBox, type DetectionImage } from '../../metrics/detection-map.js';
import {
  CenterNet,
  centerNetLoss,
  centreHeat,
  decodeCenterNet,
  type CenterNetHeads,
  type Detection,
} from '../../models/centernet.js';
import { cat, noGrad, tidy, type Device, type Tensor } from '../../tensor/index.js';
import { fieldTensor } from '../batch-tensors.js';
import type { TrainingConfig } from '../config.js';
import type { SkipListener } from '../evaluate-model.js';

/** Detections scoring at least this are kept for mAP (COCO ranks all detections; low scores only add recall). */
export const MAP_SCORE_FLOOR = 0.01;

export function detectionClasses(config: TrainingConfig): number {
  const k = (config.model.config as { numClasses?: unknown }).numClasses;
  return typeof k === 'number' ? k : 1;
}

/** The transform pipeline with CenterNet's targets rendered last (both for training and evaluation). */
export function withDetectionTargets(config: TrainingConfig, specs: TransformSpec[]): TransformSpec[] {
  return [...specs, { type: 'centerNetTargets', numClasses: detectionClasses(config) }];
}

/** Input images and the packed target [N, K + 5, h, w] of a detection batch. */
export function detectionBatchTensors(batch: Batch, device: Device = 'cpu'): { x: Tensor; y: Tensor } {
  const f = batch.fields;
  for (const key of ['image', 'heatmap', 'regression', 'regMask'])
    if (!f[key]) throw new Error(`detection batch has no '${key}' field (fields: ${Object.keys(f).join(', ')})`);
  const y = cat([fieldTensor(f.heatmap, device), fieldTensor(f.regression, device), fieldTensor(f.regMask, device)], 1);
  return { x: fieldTensor(f.image, device), y };
}

/** CenterNet's loss (focal heat-map + 0.1 size L1 + offset L1) on a packed target. */
export function detectionLoss(numClasses: number) {
  return (output: Tensor, target: Tensor): Tensor =>
    centerNetLoss(
      output,
      {
        heatmap: target.narrow(1, 0, numClasses),
        regression: target.narrow(1, numClasses, 4),
        mask: target.narrow(1, numClasses + 4, 1),
      },
      numClasses,
    ).loss;
}

/** The ground truth of sample i of a batch from its padded `gtBoxes` field. */
function groundTruth(batch: Batch, i: number): { boxes: DetectionBox[]; classes: number[] } {
  const f = batch.fields.gtBoxes;
  const per = f.shape[1];
  const boxes: DetectionBox[] = [];
  const classes: number[] = [];
  for (let j = 0; j < per / 5; j++) {
    const o = i * per + j * 5;
    const c = f.data[o + 4];
    if (c < 0) continue;
    boxes.push([f.data[o], f.data[o + 1], f.data[o + 2], f.data[o + 3]]);
    classes.push(c);
  }
  return { boxes, classes };
}

export interface DetectionExample {
  /** The model's input image [C, H, W] and its boxes in input pixels. */
  image: Float32Array;
  shape: number[];
  gt: { boxes: DetectionBox[]; classes: number[] };
  det: Detection[];
  /** Centre heat map (max over classes, probabilities) at the output stride, [h, w]. */
  heat: Float32Array;
  heatShape: [number, number];
}

export interface DetectionEvaluation {
  metrics: Record<string, unknown>;
  examples: DetectionExample[];
  loss: number;
}

/**
 * Heads another engine computed for the loader's batches, handed out in loader order (ONNX Runtime's outputs
 * for evaluate --engine onnx); `next` checks each against the batch it stands for.
 */
export interface PrecomputedHeads {
  readonly numClasses: number;
  next(x: Tensor): CenterNetHeads;
}

export async function evaluateDetector(
  model: CenterNet | PrecomputedHeads,
  loader: import('../../data/loader/index.js').Loader,
  options: {
    classNames?: string[];
    /** Score at which precision/recall are reported (default 0.3). */
    scoreThreshold?: number;
    keep?: number;
    lossFn?: (o: Tensor, y: Tensor) => Tensor;
    onSkipped?: SkipListener;
  } = {},
): Promise<DetectionEvaluation> {
  const torch = model instanceof CenterNet ? model : undefined;
  torch?.eval();
  const numClasses = torch ? torch.config.numClasses : (model as PrecomputedHeads).numClasses;
  const scoreThreshold = options.scoreThreshold ?? 0.3;
  const acc = new DetectionMap({ numClasses, scoreThreshold });
  const examples: DetectionExample[] = [];
  const device = (torch?.parameters()[0]?.device ?? 'cpu') as Device;
  let lossSum = 0;
  let n = 0;
  for await (const batch of loader.epoch(0)) {
    if (batch.skipped) options.onSkipped?.(batch.skipped);
    if (!batch.fields.image) continue;
    tidy(() =>
      noGrad(() => {
        const { x, y } = detectionBatchTensors(batch, device);
        let heads: CenterNetHeads;
        if (torch) {
          const out = torch.forward(x);
          if (options.lossFn) lossSum += options.lossFn(out, y).item() * x.size(0);
          heads = torch.heads(out);
        } else heads = (model as PrecomputedHeads).next(x);
        const dets = decodeCenterNet(heads, { topK: 100, scoreThreshold: MAP_SCORE_FLOOR, iouThreshold: 0.5 });
        const [H, W] = x.shape.slice(2);
        const sizes = batch.fields.imageSize;
        dets.forEach((d, i) => {
          // Back to the file's pixels: eval transforms only resize, so x and y scale independently.
          const sy = sizes ? sizes.data[i * 2] / H : 1;
          const sx = sizes ? sizes.data[i * 2 + 1] / W : 1;
          const scale = (b: DetectionBox): DetectionBox => [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy];
          const gt = groundTruth(batch, i);
          const image: DetectionImage = {
            gt: { boxes: gt.boxes.map(scale), classes: gt.classes },
            det: { boxes: d.map((e) => scale(e.box)), scores: d.map((e) => e.score), classes: d.map((e) => e.classId) },
          };
          acc.update(image);
          if (examples.length < (options.keep ?? 0)) {
            examples.push({
              image: x.select(0, i).toFloat32Array(),
              shape: x.shape.slice(1),
              gt,
              det: d.filter((e) => e.score >= scoreThreshold),
              heat: centreHeat(heads, i),
              heatShape: [heads.shape[2], heads.shape[3]],
            });
          }
        });
        n += x.size(0);
      }),
    );
  }
  const r = acc.compute();
  const names = options.classNames ?? Array.from({ length: numClasses }, (_, k) => `class${k}`);
  const perClass: Record<string, unknown> = {};
  r.perClass.forEach((c, k) => (perClass[names[k] ?? `class${k}`] = c));
  const mean = (v: number[]) => {
    const ok = v.filter(Number.isFinite);
    return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
  };
  const metrics: Record<string, unknown> = {
    n,
    map50: r.map50,
    map50_95: r.map50_95,
    map75: r.map75,
    map_small: r.map_small,
    map_medium: r.map_medium,
    map_large: r.map_large,
    mar100: r.mar,
    score_threshold: scoreThreshold,
    precision: mean(r.perClass.map((c) => c.precision)),
    recall: mean(r.perClass.map((c) => c.recall)),
    per_class: perClass,
  };
  return { metrics, examples, loss: n ? lossSum / n : NaN };
}
