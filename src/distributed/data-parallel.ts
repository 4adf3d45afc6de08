/**
 * Data-parallel training over a process group, as PyTorch's DistributedDataParallel does it: every rank starts
 * from rank 0's weights, trains on its own shard of each batch, and before every optimizer step the gradients
 * are averaged over the ranks, so all ranks take the same step and stay identical.
 *
 * Gradients are flattened into buckets (25 MB by default, as DDP's) so that a network of many small tensors
 * costs a few large allreduces rather than one per parameter; all buckets are in flight at once. The ranks'
 * "stop" requests (Ctrl-C, a time budget) travel in the same allreduce, so every rank stops after the same batch
 * instead of one rank waiting for a collective the others never start.
 *
 * BatchNorm is local by default (each rank normalises with its own batch statistics, DDP's default);
 * `syncBatchNorm(model)` makes it synchronised (PyTorch's convert_sync_batchnorm).
 *
 * Not done here: overlapping the allreduce with backward (autograd hooks per bucket, which the binding has not).
 */
import { BatchNorm } from '../nn/layers/normalization.js';
import type { Module } from '../nn/module.js';
import { cat, noGrad, tensor, zerosLike, type Tensor } from '../tensor/index.js';
import { ProcessGroup, processGroupOptionsFromEnv, type ProcessGroupOptions } from './process-group.js';

export interface DataParallelOptions {
  /** Largest gradient bucket in MB (default 25). */
  bucketMb?: number;
}

export class DataParallel {
  readonly bucketBytes: number;

  constructor(
    readonly group: ProcessGroup,
    options: DataParallelOptions = {},
  ) {
    this.bucketBytes = (options.bucketMb ?? 25) * 2 ** 20;
  }

  /** Joins the group the torchrun-style environment describes; undefined for a single process. */
  static async fromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DataParallel | undefined> {
    const options = processGroupOptionsFromEnv(env);
    return options ? DataParallel.create(options) : undefined;
  }

  static async create(options: ProcessGroupOptions, dp: DataParallelOptions = {}): Promise<DataParallel> {
    return new DataParallel(await ProcessGroup.create(options), dp);
  }

  get rank(): number {
    return this.group.rank;
  }
  get worldSize(): number {
    return this.group.worldSize;
  }
  /** Only rank 0 writes the run folder (checkpoints, log, report). */
  get isWriter(): boolean {
    return this.group.rank === 0;
  }

  /** Every rank takes rank 0's parameters and buffers (BatchNorm statistics). */
  async broadcastState(model: Module): Promise<void> {
    // The module's own tensors (not copies), overwritten in place.
    await this.group.broadcast([...model.stateDict().values()], 0);
  }

  /**
   * Every BatchNorm of the model normalises training batches over all ranks' samples (running statistics then
   * agree across ranks too). Returns how many layers were switched.
   */
  syncBatchNorm(model: Module): number {
    let count = 0;
    for (const [, m] of model.namedModules()) {
      if (m instanceof BatchNorm) {
        m.synchronised = (x, o) => this.group.syncBatchNorm(x, o);
        count++;
      }
    }
    return count;
  }

  /**
   * Replaces each parameter's gradient by its mean over the ranks (a missing gradient counts as zeros, so every
   * rank sends the same layout). Returns whether any rank asked to stop.
   */
  async averageGradients(parameters: Tensor[], stop = false): Promise<boolean> {
    const trainable = parameters.filter((p) => p.requiresGrad);
    const grads = trainable.map((p) => p.grad ?? zerosLike(p));
    const buckets = this.buckets(grads);
    const flats = buckets.map((bucket) => noGrad(() => cat(bucket.map((g) => g.reshape(-1)))));
    const stopFlag = tensor(new Float32Array([stop ? 1 : 0]));
    try {
      await this.group.allreduceSum([...flats, stopFlag]);
      noGrad(() => {
        let i = 0;
        for (let b = 0; b < buckets.length; b++) {
          const parts = flats[b].div_(this.worldSize).split(buckets[b].map((g) => g.numel));
          for (const part of parts) {
            const p = trainable[i];
            const shaped = part.view(p.shape);
            const existing = p.grad;
            if (existing) {
              existing.copy_(shaped);
              existing.dispose();
            } else p.grad = shaped.clone();
            shaped.dispose();
            part.dispose();
            i++;
          }
        }
      });
      return stopFlag.item() > 0;
    } finally {
      for (const t of [...grads, ...flats, stopFlag]) t.dispose();
    }
  }

  /** The mean of a number over the ranks (a training loss, say). */
  async mean(value: number): Promise<number> {
    const t = tensor(new Float64Array([value]));
    try {
      await this.group.allreduceSum([t]);
      return t.item() / this.worldSize;
    } finally {
      t.dispose();
    }
  }

  /** Waits until every rank got here. */
  barrier(): Promise<void> {
    return this.group.barrier();
  }

  destroy(): void {
    this.group.destroy();
  }

  /** Consecutive gradients grouped up to bucketBytes (a gradient larger than that is a bucket of its own). */
  private buckets(grads: Tensor[]): Tensor[][] {
    const out: Tensor[][] = [];
    let current: Tensor[] = [];
    let bytes = 0;
    for (const g of grads) {
      const size = g.numel * 4;
      if (current.length && bytes + size > this.bucketBytes) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(g);
      bytes += size;
    }
    if (current.length) out.push(current);
    return out;
  }
}
