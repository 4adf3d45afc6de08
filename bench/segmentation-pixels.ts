// Pooled pixels of a segmentation run's predictions inside the ROI, shared by bench/segmentation-threshold.ts
// and bench/segmentation-ensemble.ts.
import type { DatasetSpec } from '../src/data/datasets/index.js';
import { openDataLoader } from '../src/train/data-loader.js';
import { evaluateSegmenter } from '../src/train/evaluate-model.js';
import type { loadRun } from '../src/train/run-folder.js';
import type { TrainingConfig } from '../src/train/config.js';

/** The training set once: a subset's `repeat` (patch sampling) would predict each image many times. */
export const once = (spec: DatasetSpec): DatasetSpec =>
  spec.kind === 'subset' ? { ...spec, repeat: undefined } : spec;

/** Probabilities and 0/1 targets of every pixel inside the ROI, over all images of `spec`. */
export async function pooledPixels(
  config: TrainingConfig,
  model: ReturnType<typeof loadRun>['model'],
  spec: DatasetSpec,
) {
  const loader = await openDataLoader(spec, config, { train: false, workers: 0 });
  try {
    const ev = await evaluateSegmenter(model, loader, {
      roiKey: config.data.roiKey,
      padMultiple: config.training.padMultiple,
      testTimeFlips: config.training.testTimeFlips,
      keep: Number.MAX_SAFE_INTEGER,
    });
    const probs: number[] = [];
    const labels: number[] = [];
    for (const e of ev.examples) {
      for (let j = 0; j < e.prob.length; j++) {
        if (e.roi && e.roi[j] < 0.5) continue;
        probs.push(e.prob[j]);
        labels.push(e.target[j] >= 0.5 ? 1 : 0);
      }
    }
    return { probs: Float32Array.from(probs), labels: Int32Array.from(labels), metrics: ev.metrics };
  } finally {
    await loader.close();
  }
}

export function f1At(probs: Float32Array, labels: Int32Array, threshold: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < probs.length; i++) {
    const predicted = probs[i] >= threshold;
    if (predicted && labels[i]) tp++;
    else if (predicted) fp++;
    else if (labels[i]) fn++;
  }
  return (2 * tp) / Math.max(1, 2 * tp + fp + fn);
}
