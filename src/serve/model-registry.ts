/**
 * The models a service serves: one per run folder, named after the folder's last path component, each an ONNX
 * Runtime session (DIR/model.onnx) behind its own micro-batching queue, with what the page shows about it (its
 * metadata and the validation metrics of metrics.json). Requests look models up by name in this map only, so
 * no request value ever becomes a path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { detectionOutputs, OnnxWorkerModel } from '../runtime/index.js';
import { BatchQueue, type BatchQueueOptions } from './batch-queue.js';
import { modelInfoFromMetadata, type ModelInfo } from './model-info.js';
import { ServeError } from './serve-error.js';
import type { ServiceMetrics } from './service-metrics.js';

/** How the run's best model did on its validation data (from metrics.json), for the page's note. */
export interface Validation {
  monitor?: string;
  bestEpoch?: number;
  metrics: Record<string, number>;
}

export interface ServedModel {
  name: string;
  info: ModelInfo;
  /** The ONNX Runtime session, in its own worker thread so that inference never blocks the event loop. */
  onnx: OnnxWorkerModel;
  queue: BatchQueue;
  /** Names of the attention-map outputs (`attention/<module>.spatial|channel`). */
  attentionOutputs: string[];
  validation?: Validation;
  /** model.onnx's size in bytes (the page downloads it for in-browser inference). */
  bytes: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function readValidation(dir: string): Validation | undefined {
  const file = join(dir, 'metrics.json');
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { monitor?: string; best_epoch?: number; best?: object };
    const metrics = Object.fromEntries(
      Object.entries(m.best ?? {}).filter(
        ([k, v]) => typeof v === 'number' && !['epoch', 'lr', 'seconds', 'train_loss'].includes(k),
      ),
    ) as Record<string, number>;
    return { monitor: m.monitor, bestEpoch: m.best_epoch, metrics };
  } catch {
    return undefined; // the note is optional: a damaged metrics.json does not stop the service
  }
}

export async function loadModels(
  runs: string[],
  queue: BatchQueueOptions,
  metrics: ServiceMetrics,
  threads?: number,
): Promise<Map<string, ServedModel>> {
  const models = new Map<string, ServedModel>();
  for (const run of runs) {
    const dir = resolve(run);
    const name = basename(dir);
    if (!NAME.test(name))
      throw new ServeError(
        '--run',
        `${run}: the folder name '${name}' cannot be a model name (letters, digits, . _ -)`,
      );
    if (models.has(name)) throw new ServeError('--run', `${run}: two runs are named '${name}' (rename one folder)`);
    const file = join(dir, 'model.onnx');
    if (!existsSync(file))
      throw new ServeError('--run', `${run}: no model.onnx (write it with medattn export --run ${run})`);
    const onnx = await OnnxWorkerModel.load(file, { threads });
    let info: ModelInfo;
    try {
      info = modelInfoFromMetadata(onnx.metadata, file);
    } catch (e) {
      throw new ServeError('--run', (e as Error).message);
    }
    const outputs =
      info.task === 'classification'
        ? ['probabilities']
        : info.task === 'detection'
          ? [...detectionOutputs]
          : ['probability'];
    const attentionOutputs = onnx.outputNames.filter((n) => n.startsWith('attention/'));
    const queueFor = new BatchQueue(
      // Attention maps come from the same forward pass; asking for them always keeps one batch shape for all requests.
      (data, shape) => onnx.run(data, shape, [...outputs, ...attentionOutputs]),
      queue,
      (size, seconds) => {
        metrics.batchSize.observe({ model: name }, size);
        metrics.inferenceSeconds.observe({ model: name }, seconds);
      },
    );
    models.set(name, {
      name,
      info,
      onnx,
      queue: queueFor,
      attentionOutputs,
      validation: readValidation(dir),
      bytes: readFileSync(file).byteLength,
    });
  }
  return models;
}
