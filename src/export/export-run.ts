/**
 * `medattn export --run DIR`: the run's best weights as DIR/model.onnx (or --out FILE), with what a runtime
 * needs in metadata_props (keys `medattn.*`): input channels and size, the eval intensity transforms, class
 * names, the decision threshold, the padding multiple of segmenters, medattn's version and the SHA-256 of the
 * run's config.json. With `triton`, also a Triton model repository entry. Written atomically: a temp file beside the target, fsynced, then renamed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createDataset } from '../data/datasets/index.js';
import { OUTPUT_STRIDE } from '../models/centernet-decode.js';
import { tidy } from '../tensor/index.js';
import { writeFileAtomic } from '../train/run-folder-files.js';
import { batchTensors } from '../train/batch-tensors.js';
import { openDataLoader } from '../train/data-loader.js';
import { padToMultiple } from '../train/pad-to-multiple.js';
import { loadRun, type LoadedRun } from '../train/run-folder.js';
import { isTextRun, loadTextRun } from '../train/tasks/text.js';
import { ExportError } from './export-error.js';
import { modelEmitterOf } from './model-emitters.js';
import { quantizeModel, type CalibrationBatch } from './quantize.js';
import { exportModel, medattnVersion, type ExportedModel } from './export-model.js';
import { tritonModelName, writeTritonRepository } from './triton.js';

export interface ExportRunOptions {
  /** Target file (default DIR/model.onnx). */
  out?: string;
  opset?: number;
  /** Also write an NVIDIA Triton model repository entry here (<triton>/<run name>/...). */
  triton?: string;
  /** Also write <run>/model.int8.onnx (QDQ), calibrated on the first `images` training images (default 256). */
  int8?: { images?: number; percentile?: number; ranges?: string; floatEnds?: boolean };
}

export interface ExportRunResult {
  path: string;
  bytes: number;
  exported: ExportedModel;
  metadata: Record<string, string>;
  /** The Triton model folder, with `triton`. */
  tritonModel?: string;
  /** With `int8`: the quantized file. */
  int8?: {
    path: string;
    bytes: number;
    weights: number;
    activations: number;
    /** Layers kept float32 (first convolution, output head), by weight name. */
    floatLayers: string[];
    calibrationImages: number;
  };
}

/** The first `n` training images through the eval transforms (padded for segmenters), in batches. */
async function calibrationBatches(run: LoadedRun, n: number): Promise<CalibrationBatch[]> {
  const { config } = run;
  const dataset = await createDataset(config.data.train);
  const loader = await openDataLoader(dataset, config, {
    train: false,
    workers: 0,
  });
  const batches: CalibrationBatch[] = [];
  let seen = 0;
  try {
    for await (const batch of loader.epoch(0)) {
      if (!batch.fields.image || seen >= n) break;
      batches.push(
        tidy(() => {
          let { x } = batchTensors(batch, config.task);
          if (seen + x.size(0) > n) x = x.narrow(0, 0, n - seen);
          if (config.task === 'segmentation') x = padToMultiple(x, config.training.padMultiple).padded;
          return { data: x.contiguous().toFloat32Array(), shape: x.shape };
        }),
      );
      seen += batches.at(-1)!.shape[0];
    }
  } finally {
    await loader.close();
  }
  return batches;
}

/** A text run as export needs it: its model and classes; its tokenizer stays beside model.onnx. */
function loadTextRunForExport(dir: string): LoadedRun & { extra: Record<string, string> } {
  const text = loadTextRun(dir);
  return {
    dir,
    config: text.config,
    model: text.model,
    checkpoint: '',
    classNames: text.classNames,
    extra: { 'medattn.max_tokens': String(text.maxTokens), 'medattn.tokenizer': 'tokenizer.json' },
  };
}

export async function exportRun(dir: string, options: ExportRunOptions = {}): Promise<ExportRunResult> {
  const textRun = isTextRun(dir) ? loadTextRunForExport(dir) : undefined;
  const run = textRun ?? loadRun(dir);
  const { config, model, inputShape, classNames, threshold } = run;
  // int8 calibration reads training images: the table, ICU and text networks (their own input) stay float32
  if (options.int8 && modelEmitterOf(model).input) {
    model.dispose();
    throw new ExportError(
      `--int8: int8 quantization covers the image networks; '${model.modelName}' exports in float32 only`,
    );
  }
  const configHash = createHash('sha256')
    .update(readFileSync(join(dir, 'config.json')))
    .digest('hex');
  const metadata: Record<string, string> = {
    'medattn.version': medattnVersion,
    'medattn.model': model.modelName,
    'medattn.task': config.task,
    'medattn.input_channels': String(inputShape?.[0] ?? (model.config as { inChannels?: number }).inChannels ?? ''),
    'medattn.input_size': JSON.stringify(inputShape?.slice(1) ?? null),
    'medattn.normalization': JSON.stringify(config.transforms?.eval ?? null),
    'medattn.class_names': JSON.stringify(classNames ?? null),
    'medattn.threshold': String(threshold ?? 0.5),
    'medattn.threshold_source': threshold === undefined ? 'default' : 'training',
    'medattn.config_sha256': configHash,
    ...(config.task === 'segmentation' ? { 'medattn.pad_multiple': String(config.training.padMultiple) } : {}),
    ...(textRun?.extra ?? {}),
    ...(config.task === 'detection' ? { 'medattn.output_stride': String(OUTPUT_STRIDE) } : {}),
  };
  const exported = exportModel(model, { opset: options.opset, inputShape, metadata });
  const path = resolve(options.out ?? join(dir, 'model.onnx'));
  model.dispose();
  writeFileAtomic(path, exported.bytes);
  const tritonModel = options.triton
    ? writeTritonRepository(options.triton, tritonModelName(basename(resolve(dir))), exported)
    : undefined;
  let int8: ExportRunResult['int8'];
  if (options.int8) {
    const images = options.int8.images ?? 256;
    if (!(Number.isInteger(images) && images > 0))
      throw new ExportError(`--calibration: expected a positive number of images, got ${images}`);
    const batches = await calibrationBatches(run, images);
    const { percentile, ranges, floatEnds } = options.int8;
    if (percentile !== undefined && !(percentile > 50 && percentile <= 100))
      throw new ExportError(`--percentile: expected a number in (50, 100], got ${percentile}`);
    if (ranges !== undefined && ranges !== 'percentile' && ranges !== 'mse')
      throw new ExportError(`--ranges: expected percentile or mse, got '${ranges}'`);
    const q = await quantizeModel(exported.bytes, batches, { percentile, ranges, floatEnds });
    const int8Path = join(dirname(path), 'model.int8.onnx');
    writeFileAtomic(int8Path, q.bytes);
    const calibrationImages = batches.reduce((a, b) => a + b.shape[0], 0);
    int8 = {
      path: int8Path,
      bytes: statSync(int8Path).size,
      weights: q.weights,
      activations: q.activations,
      floatLayers: q.floatLayers,
      calibrationImages,
    };
  }
  return {
    path,
    bytes: statSync(path).size,
    exported,
    metadata,
    ...(tritonModel ? { tritonModel } : {}),
    ...(int8 ? { int8 } : {}),
  };
}
