/**
 * `medattn evaluate --engine onnx|onnx-int8`: the metrics of the CLI contract from ONNX Runtime's outputs.
 * The logits of every batch come from ONNX Runtime (inputs prepared exactly as for libtorch: the same loader,
 * transforms and, for segmenters, the same padding); the metrics are then computed by the very code that
 * evaluates libtorch models (evaluateOn), which replays those logits in place of a forward pass. A detector's
 * heads (heat map, size, offset) are replayed the same way and decoded by the code libtorch's heads go through.
 */
import { createDataset } from '../data/datasets/index.js';
import { Module } from '../nn/index.js';
import { keep, tensor, tidy, type Tensor } from '../tensor/index.js';
import { batchTensors } from '../train/batch-tensors.js';
import { openDataLoader } from '../train/data-loader.js';
import { evaluateOn, runDataSpec } from '../train/evaluate-run.js';
import type { SkipListener } from '../train/evaluate-model.js';
import { padToMultiple } from '../train/pad-to-multiple.js';
import { loadRun } from '../train/run-folder.js';
import { isTextRun } from '../train/tasks/text.js';
import { evaluateTextRunOnnx } from './evaluate-text-onnx.js';
import type { CenterNetHeads } from '../models/centernet-decode.js';
import { detectionClasses, type PrecomputedHeads } from '../train/tasks/detection.js';
import { onnxCenterNetHeads } from './detection-onnx.js';
import { OnnxModel } from './onnx-model.js';

/** Returns precomputed outputs in order, checking each against the input it stands for. */
class ReplayedOutputs extends Module {
  constructor(private readonly queue: Tensor[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    const next = this.queue.shift();
    if (
      !next ||
      next.shape[0] !== x.shape[0] ||
      (next.ndim === x.ndim && next.shape.slice(2).join() !== x.shape.slice(2).join())
    )
      throw new Error(`ONNX replay out of step: input [${x.shape}] against output [${next?.shape ?? 'none'}]`);
    return next;
  }
}

/** A detector's heads from ONNX Runtime, in batch order, for evaluateDetector. */
class ReplayedHeads extends Module implements PrecomputedHeads {
  constructor(
    readonly numClasses: number,
    private readonly queue: CenterNetHeads[],
  ) {
    super();
  }
  next(x: Tensor): CenterNetHeads {
    const next = this.queue.shift();
    if (!next || next.shape[0] !== x.shape[0])
      throw new Error(`ONNX replay out of step: input [${x.shape}] against heads [${next?.shape ?? 'none'}]`);
    return next;
  }
  forward(): Tensor {
    throw new Error('ReplayedHeads: detectors are evaluated through next()');
  }
}

export async function evaluateRunOnnx(
  runDir: string,
  onnxFile: string,
  data: string,
  options: { split?: string; skipBad?: boolean; onSkipped?: SkipListener; threshold?: number } = {},
): Promise<Record<string, unknown>> {
  if (isTextRun(runDir)) return evaluateTextRunOnnx(runDir, onnxFile, data, options.split);
  const run = loadRun(runDir);
  const { config, model, threshold } = run;
  // the same data as --engine torch reads (a table run: its CSV label column and vocabularies)
  const spec = runDataSpec(run, data, options.split);
  model.dispose();
  const onnx = await OnnxModel.load(onnxFile);
  const dataset = await createDataset(spec, { skipBad: options.skipBad });
  options.onSkipped?.(dataset.skipped());
  const outputs: Tensor[] = [];
  const heads: CenterNetHeads[] = [];
  const detection = config.task === 'detection';
  try {
    const loader = await openDataLoader(dataset, config, { train: false, workers: 0 });
    try {
      for await (const batch of loader.epoch(0)) {
        if (!batch.fields.image) continue;
        const x = tidy(() => {
          const { x: input } = batchTensors(batch, config.task);
          const prepared =
            config.task === 'segmentation' ? padToMultiple(input, config.training.padMultiple).padded : input;
          return { data: prepared.toFloat32Array(), shape: prepared.shape };
        });
        if (detection) {
          heads.push(await onnxCenterNetHeads(onnx, x.data, x.shape));
          continue;
        }
        const out = (await onnx.run(x.data, x.shape, ['logits'])).get('logits')!;
        outputs.push(keep(tensor(out.data, { shape: out.dims })));
      }
    } finally {
      await loader.close();
    }
    return await evaluateOn(
      config,
      detection ? new ReplayedHeads(detectionClasses(config), heads) : new ReplayedOutputs(outputs),
      dataset,
      options.onSkipped,
      options.threshold ?? threshold,
    );
  } finally {
    for (const t of outputs) t.dispose();
    await onnx.release();
  }
}
