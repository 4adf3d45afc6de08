/**
 * A c10d process group on the Gloo backend (torch.distributed's CPU engine, bound in native/src/distributed.cc):
 * rendezvous through a TCPStore on the master, then sum-allreduce, broadcast and barrier on tensors. Every
 * collective is asynchronous and has a timeout, so a rank that dies makes the others fail instead of hang.
 *
 *   const group = await ProcessGroup.create({ masterAddr: '127.0.0.1', masterPort: 29500, rank, worldSize: 2 });
 *   await group.allreduceSum([flatGradients]);
 *   group.destroy();
 */
import { native, type ProcessGroupHandle as GroupHandle } from '../tensor/native.js';
import { Tensor } from '../tensor/index.js';
import type { BatchNormOptions } from '../tensor/functional.js';
import { DistributedError } from './distributed-error.js';

const addon = native;

export interface ProcessGroupOptions {
  /** The address of rank 0's machine (torchrun's MASTER_ADDR). */
  masterAddr: string;
  /** The TCPStore port on the master (MASTER_PORT). */
  masterPort: number;
  rank: number;
  worldSize: number;
  /** How long rendezvous and each collective may wait for the other ranks (default 300 s, as PyTorch's). */
  timeoutMs?: number;
}

/** The torchrun interface: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE; undefined when WORLD_SIZE is unset or 1. */
export function processGroupOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ProcessGroupOptions | undefined {
  const worldSize = Number(env.WORLD_SIZE ?? 1);
  if (worldSize === 1) return undefined;
  const integer = (name: string, min: number, max = Infinity) => {
    const v = Number(env[name]);
    if (env[name] === undefined || !Number.isInteger(v) || v < min || v > max)
      throw new DistributedError(`${name}: expected an integer ${min}..${max}, got ${JSON.stringify(env[name])}`);
    return v;
  };
  const size = integer('WORLD_SIZE', 1);
  const timeoutSeconds = env.MEDATTN_DIST_TIMEOUT ? integer('MEDATTN_DIST_TIMEOUT', 1) : 300;
  return {
    masterAddr: env.MASTER_ADDR || '127.0.0.1',
    masterPort: env.MASTER_PORT ? integer('MASTER_PORT', 1, 65535) : 29500,
    rank: integer('RANK', 0, size - 1),
    worldSize: size,
    timeoutMs: timeoutSeconds * 1000,
  };
}

export class ProcessGroup {
  private handle: GroupHandle | undefined;

  private constructor(
    handle: GroupHandle,
    readonly rank: number,
    readonly worldSize: number,
    readonly timeoutMs: number,
  ) {
    this.handle = handle;
  }

  /** Joins the group; resolves when all `worldSize` ranks have joined, rejects after the timeout. */
  static async create(options: ProcessGroupOptions): Promise<ProcessGroup> {
    const { masterAddr, masterPort, rank, worldSize } = options;
    const timeoutMs = options.timeoutMs ?? 300_000;
    try {
      const handle = await addon.processGroupCreate(masterAddr, masterPort, rank, worldSize, timeoutMs);
      return new ProcessGroup(handle, rank, worldSize, timeoutMs);
    } catch (e) {
      const message = explain(e);
      const why = /Address already in use/.test(message)
        ? `port ${masterPort} is already in use (MASTER_PORT)`
        : /timed out/.test(message)
          ? `no answer within ${timeoutMs / 1000} s (is rank 0 running, and MASTER_ADDR/MASTER_PORT right?)`
          : message;
      throw new DistributedError(`rank ${rank}: rendezvous at ${masterAddr}:${masterPort} failed: ${why}`);
    }
  }

  /** Each tensor (contiguous) becomes its sum over all ranks, in place. */
  async allreduceSum(tensors: Tensor[]): Promise<void> {
    await this.collective('allreduce', () => addon.allreduceSum(this.live(), handles(tensors), this.timeoutMs));
  }

  /** Each tensor becomes rank `root`'s, in place. */
  async broadcast(tensors: Tensor[], root = 0): Promise<void> {
    await this.collective('broadcast', () => addon.broadcast(this.live(), handles(tensors), root, this.timeoutMs));
  }

  async barrier(): Promise<void> {
    await this.collective('barrier', () => addon.barrier(this.live(), this.timeoutMs));
  }

  /**
   * Training-mode BatchNorm over [N, C, ...] with the mean and variance of every rank's batch (PyTorch's
   * SyncBatchNorm); differentiable, and its backward all-reduces the input gradient's two per-channel sums.
   * Synchronous like the forward pass it is part of; every rank must call it in the same order.
   */
  syncBatchNorm(x: Tensor, o: BatchNormOptions): Tensor {
    const h = (t: Tensor | undefined) => t?.handle ?? null;
    try {
      return new Tensor(
        addon.syncBatchNorm(
          this.live(),
          x.handle,
          h(o.weight),
          h(o.bias),
          h(o.runningMean),
          h(o.runningVar),
          o.momentum ?? 0.1,
          o.eps ?? 1e-5,
          this.timeoutMs,
        ),
      );
    } catch (e) {
      throw new DistributedError(
        `rank ${this.rank}: synchronised BatchNorm failed (another rank stopped?): ${explain(e)}`,
      );
    }
  }

  /** Closes the connections (idempotent). */
  destroy(): void {
    if (this.handle) addon.processGroupDestroy(this.handle);
    this.handle = undefined;
  }

  private live(): GroupHandle {
    if (!this.handle) throw new DistributedError(`rank ${this.rank}: the process group was destroyed`);
    return this.handle;
  }

  private async collective(what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      if (e instanceof DistributedError) throw e;
      throw new DistributedError(`rank ${this.rank}: ${what} failed (another rank stopped?): ${explain(e)}`);
    }
  }
}

function handles(tensors: Tensor[]) {
  return tensors.map((t) => t.handle);
}

/** The first line of a native error without the binding's own prefix. */
function explain(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0].replace(/^(processGroupCreate|allreduce|broadcast|barrier|syncBatchNorm): /, '');
}
