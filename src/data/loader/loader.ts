/**
 * The batch loader: shuffles per epoch (BatchSampler), reads and augments samples, collates them, and yields
 * batches asynchronously in epoch order.
 *
 * With `workers: 0` batches are made in this thread when asked for. With `workers: N` they are made by N
 * worker threads, up to `prefetch` batches ahead of the consumer, so batch k+1 is decoded and augmented while
 * the trainer works on batch k. Each sample's random stream depends only on (seed, epoch, index)
 * (produce-batch.ts), so the batches are identical for any number of workers.
 *
 * Workers are unref'd whenever no batch is pending (an idle loader never keeps the process alive) and
 * terminated by `close()`. The loader yields plain typed arrays; tensor conversion is the trainer's job.
 *
 *   const loader = await Loader.create({ dataset: { kind: 'arrays', arrays: shareArrays({ image, label }) },
 *     transforms: [{ type: 'toFloat', scale: 1 / 255 }, { type: 'randFlip' }], batchSize: 32, workers: 2 });
 *   for (let epoch = 0; epoch < 10; epoch++) for await (const b of loader.epoch(epoch)) train(b.fields.image);
 *   await loader.close();
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../../worker-module.js';
import type { Dataset, DatasetSpec } from '../datasets/index.js';
import type { Transform } from '../transforms/transform.js';
import { BatchSampler } from './batch-sampler.js';
import type { Batch } from './collate.js';
import { LoaderError } from './loader-error.js';
import { isDatasetObject, openDataset } from './open-dataset.js';
import { isModuleRef, openPipeline, type PipelineSpec } from './pipeline.js';
import { cacheDeterministicPrefix } from './prefix-cache.js';
import { produceBatch } from './produce-batch.js';
import type { WorkerInit, WorkerRequest } from './worker.js';

export interface LoaderOptions {
  /**
   * The dataset, or its spec. With `workers: 0` an object is read as it is; with workers each worker rebuilds
   * it from `describe()` with `createDataset` (worker threads receive data, not objects).
   */
  dataset: DatasetSpec | Dataset;
  /** Augmentation pipeline: transform specs or a module; a Transform object only with `workers: 0`. */
  transforms?: PipelineSpec | Transform;
  batchSize: number;
  /** Reshuffle every epoch from seed + epoch (default true). */
  shuffle?: boolean;
  dropLast?: boolean;
  /** Seeds both the order and the augmentation (default 0). */
  seed?: number;
  /** This rank's share of every epoch in data-parallel training (see BatchSampler). */
  shard?: { rank: number; count: number };
  /** Worker threads (default 0: in this thread). */
  workers?: number;
  /** Batches requested ahead of the consumer (default 2 per worker; at least 1). */
  prefetch?: number;
  /**
   * Niceness of the worker threads (0..19; default 10): below the training threads, so on a machine with as
   * many cores as OpenMP threads the loader takes the gaps between ops instead of stalling them.
   */
  nice?: number;
}

export interface LoaderStats {
  /** Batches yielded. */
  yielded: number;
  /** Batches that were already complete when the consumer asked for them (prefetch hid their cost). */
  readyOnRequest: number;
}

interface Pending {
  resolve: (b: Batch) => void;
  reject: (e: Error) => void;
  slot: WorkerSlot;
}

interface WorkerSlot {
  worker: Worker;
  inFlight: number;
}

function isTransformObject(t: LoaderOptions['transforms']): t is Transform {
  return typeof t === 'object' && t !== null && typeof (t as Transform).apply === 'function';
}

/** Starts a worker running worker.ts (TypeScript through tsx's loader) or worker.js in a built package. */
function spawnWorker(init: WorkerInit): Worker {
  return spawnModuleWorker(import.meta.url, './worker', init);
}

export class Loader {
  readonly sampler: BatchSampler;
  readonly stats: LoaderStats = { yielded: 0, readyOnRequest: 0 };
  private slots: WorkerSlot[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly opts: LoaderOptions,
    length: number,
    private readonly local: { dataset: Dataset; transform: Transform | undefined } | undefined,
  ) {
    this.sampler = new BatchSampler({
      length,
      batchSize: opts.batchSize,
      shuffle: opts.shuffle,
      dropLast: opts.dropLast,
      seed: opts.seed,
      shard: opts.shard,
    });
  }

  /** Opens the dataset (in this thread or in the workers) and returns a ready loader. */
  static async create(opts: LoaderOptions): Promise<Loader> {
    const workers = opts.workers ?? 0;
    if (!Number.isInteger(workers) || workers < 0)
      throw new LoaderError(`Loader: workers must be an integer >= 0, got ${workers}`);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
      throw new LoaderError(`Loader: batchSize must be an integer >= 1, got ${opts.batchSize}`);
    const nice = opts.nice ?? 10;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19)
      throw new LoaderError(`Loader: nice must be an integer 0..19, got ${nice}`);
    if (workers === 0) {
      const { dataset, preloaded } = await openDataset(opts.dataset);
      const pipeline = isTransformObject(opts.transforms) ? opts.transforms : await openPipeline(opts.transforms);
      // A dataset object handed in stays untouched: the cache is a view of it that only this loader reads.
      const local = await cacheDeterministicPrefix(dataset, pipeline, preloaded);
      return new Loader(opts, dataset.length, local);
    }
    if (isTransformObject(opts.transforms) && !isModuleRef(opts.transforms)) {
      throw new LoaderError('Loader: with workers > 0 transforms must be specs or { module }, not Transform objects');
    }
    const dataset = isDatasetObject(opts.dataset) ? opts.dataset.describe() : opts.dataset;
    const init: WorkerInit = {
      dataset,
      pipeline: opts.transforms as PipelineSpec | undefined,
      seed: opts.seed ?? 0,
      nice,
    };
    const slots = Array.from({ length: workers }, () => ({ worker: spawnWorker(init), inFlight: 0 }));
    let lengths: number[];
    try {
      lengths = await Promise.all(slots.map((s, i) => waitReady(s.worker, i)));
    } catch (e) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw e;
    }
    if (lengths.some((n) => n !== lengths[0]))
      throw new LoaderError(`Loader: workers disagree on the dataset length (${lengths.join(', ')})`);
    const loader = new Loader(opts, lengths[0], undefined);
    loader.slots = slots;
    for (const s of slots) loader.listen(s);
    return loader;
  }

  /** Number of samples. */
  get length(): number {
    return this.sampler.length;
  }

  /** Number of batches per epoch. */
  get batchCount(): number {
    return this.sampler.batchCount;
  }

  /** The batches of one epoch, in order; breaking out of the loop cancels the rest. */
  async *epoch(epoch: number): AsyncGenerator<Batch, void, undefined> {
    if (this.closed) throw new LoaderError('Loader: closed');
    const batches = this.sampler.batches(epoch);
    if (this.local) {
      for (let b = 0; b < batches.length; b++) {
        const batch = await produceBatch(
          this.local.dataset,
          this.local.transform,
          this.opts.seed ?? 0,
          epoch,
          b,
          batches[b],
        );
        this.stats.yielded++;
        yield batch;
      }
      return;
    }
    const ahead = Math.max(1, this.opts.prefetch ?? 2 * this.slots.length);
    const results: { promise: Promise<Batch>; done: boolean }[] = [];
    const submit = (b: number): void => {
      const entry = { promise: this.request(epoch, b, batches[b]), done: false };
      entry.promise.then(
        () => (entry.done = true),
        () => (entry.done = true),
      );
      results[b] = entry;
    };
    let submitted = 0;
    try {
      for (let b = 0; b < batches.length; b++) {
        while (submitted < batches.length && submitted < b + ahead) submit(submitted++);
        if (results[b].done) this.stats.readyOnRequest++;
        const batch = await results[b].promise;
        delete results[b];
        this.stats.yielded++;
        yield batch;
      }
    } finally {
      // Early exit: results still in flight are dropped when they arrive; silence their errors.
      for (const r of results) r?.promise.catch(() => {});
    }
  }

  /** Stops the workers. Idempotent; pending requests are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new LoaderError('Loader: closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  private request(epoch: number, index: number, indices: number[]): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new LoaderError('Loader: closed'));
    // Least-loaded worker; ties go to the lowest index.
    const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = this.nextId++;
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      if (slot.inFlight++ === 0) slot.worker.ref(); // a pending batch keeps the process alive
      const msg: WorkerRequest = { type: 'batch', id, epoch, index, indices };
      slot.worker.postMessage(msg);
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (--p.slot.inFlight === 0) p.slot.worker.unref();
    return p;
  }

  private listen(slot: WorkerSlot): void {
    const w = slot.worker;
    w.unref();
    w.on(
      'message',
      (msg: {
        type: string;
        id?: number;
        batch?: Batch;
        name?: string;
        message?: string;
        stack?: string;
        user?: boolean;
      }) => {
        if (msg.type === 'batch' && msg.id !== undefined) this.settle(msg.id)?.resolve(msg.batch!);
        else if (msg.type === 'error') {
          const text = `loader worker: ${msg.name}: ${msg.message}`;
          const err = msg.user ? new LoaderError(text) : new Error(text);
          err.stack = `${err.name}: ${err.message}\n--- in worker ---\n${msg.stack ?? ''}`;
          if (msg.id !== undefined) this.settle(msg.id)?.reject(err);
          else this.fail(err);
        }
      },
    );
    w.on('error', (e) => this.fail(new LoaderError(`loader worker crashed: ${e.message}`, { cause: e })));
    w.on('exit', (code) => {
      if (!this.closed) this.fail(new LoaderError(`loader worker exited unexpectedly (code ${code})`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(err);
    }
  }
}

function waitReady(w: Worker, i: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: {
      type: string;
      length?: number;
      name?: string;
      message?: string;
      user?: boolean;
    }): void => {
      if (msg.type === 'ready') {
        cleanup();
        resolve(msg.length!);
      } else if (msg.type === 'error') {
        cleanup();
        const text = `loader worker ${i} could not open the dataset or pipeline: ${msg.message}`;
        reject(msg.user ? new LoaderError(text) : new Error(text));
      }
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new LoaderError(`loader worker ${i} failed to start: ${e.message}`, { cause: e }));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new LoaderError(`loader worker ${i} exited during start (code ${code})`));
    };
    const cleanup = (): void => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
