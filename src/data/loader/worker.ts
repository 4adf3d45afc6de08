/**
 * Worker thread entry of the Loader: rebuilds the dataset (createDataset) and pipeline from their specs (caching the
 * pipeline's deterministic prefix of a preloaded dataset, prefix-cache.ts), then makes the batches it is asked for
 * and transfers their buffers back (no copy).
 *
 * Messages in:  { type: 'batch', id, epoch, index, indices }
 * Messages out: { type: 'ready', length } | { type: 'batch', id, batch } | { type: 'error', id?, name, message, stack }
 */
import { UserError } from '../../user-error.js';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Dataset, DatasetSpec } from '../datasets/index.js';
import type { Transform } from '../transforms/transform.js';
import { batchTransferList } from './collate.js';
import { openDataset } from './open-dataset.js';
import { openPipeline, type PipelineSpec } from './pipeline.js';
import { cacheDeterministicPrefix } from './prefix-cache.js';
import { produceBatch } from './produce-batch.js';

export interface WorkerInit {
  dataset: DatasetSpec;
  pipeline?: PipelineSpec;
  seed: number;
  /** Scheduling niceness of the worker thread (0..19, 0 = unchanged). */
  nice?: number;
}

export type WorkerRequest = { type: 'batch'; id: number; epoch: number; index: number; indices: number[] };

const port = parentPort;
if (!port) throw new Error('loader worker must run in a worker thread');
const init = workerData as WorkerInit;

// Below the training threads: with as many OpenMP threads as cores, a loader at equal priority preempts one
// of them and the whole parallel op waits at its barrier. On Linux this lowers this thread only; the loader
// still gets the gaps between ops, and it needs a few percent of one core.
if (init.nice) {
  try {
    setPriority(init.nice);
  } catch {
    // not allowed here (some sandboxes): run at normal priority
  }
}

function errorMessage(e: unknown, id?: number) {
  const err = e instanceof Error ? e : new Error(String(e));
  // `user` survives the structured clone, so the main thread knows a bad file from a bug in medattn.
  return {
    type: 'error' as const,
    id,
    name: err.name,
    message: err.message,
    stack: err.stack,
    user: err instanceof UserError,
  };
}

let ready: Promise<{ dataset: Dataset; pipeline: Transform | undefined }>;
try {
  ready = Promise.all([openDataset(init.dataset), openPipeline(init.pipeline)]).then(
    async ([{ dataset, preloaded }, pipeline]) => {
      const cached = await cacheDeterministicPrefix(dataset, pipeline, preloaded);
      return { dataset: cached.dataset, pipeline: cached.transform };
    },
  );
  ready.then(
    ({ dataset }) => port.postMessage({ type: 'ready', length: dataset.length }),
    (e) => port.postMessage(errorMessage(e)),
  );
} catch (e) {
  port.postMessage(errorMessage(e));
}

// Requests are handled one at a time in arrival order (the main thread decides how many are queued here).
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: WorkerRequest) => {
  if (msg.type !== 'batch') return;
  queue = queue.then(async () => {
    try {
      const { dataset, pipeline } = await ready;
      const batch = await produceBatch(dataset, pipeline, init.seed, msg.epoch, msg.index, msg.indices);
      port.postMessage({ type: 'batch', id: msg.id, batch }, batchTransferList(batch));
    } catch (e) {
      port.postMessage(errorMessage(e, msg.id));
    }
  });
});
