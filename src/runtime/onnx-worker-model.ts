/**
 * An exported model whose ONNX Runtime session lives in its own worker thread (onnx-worker.ts), with OnnxModel's
 * interface. The caller's thread stays free while a batch is computed: the service decodes and answers other
 * requests meanwhile, which is what lets HTTP throughput approach ONNX Runtime's own.
 */
import type { Worker } from 'node:worker_threads';
import { VersionMismatchError } from '../version.js';
import { spawnModuleWorker } from '../worker-module.js';
import { OnnxModelError, type OnnxOutput } from './onnx-model.js';

export interface WorkerInit {
  path: string;
  threads?: number;
}
export type WorkerRequest =
  | { type: 'run'; id: number; data: Float32Array | BigInt64Array; shape: number[]; outputs?: string[] }
  | { type: 'release' };
export type WorkerReply =
  | { type: 'ready'; metadata: Record<string, string>; input: OnnxWorkerModel['input']; outputNames: string[] }
  | { type: 'result'; id: number; outputs: [string, OnnxOutput][] }
  | { type: 'failed'; id: number; error: { name: string; message: string } }
  | { type: 'released' };

interface Pending {
  resolve: (outputs: Map<string, OnnxOutput>) => void;
  reject: (e: Error) => void;
}

/** An error from the worker as the same kind of error OnnxModel would have thrown. */
function revive(error: { name: string; message: string }): Error {
  if (error.name === 'OnnxModelError') return new OnnxModelError(error.message);
  if (error.name === 'VersionMismatchError') return new VersionMismatchError(error.message);
  return new Error(error.message);
}

export class OnnxWorkerModel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private released: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly path: string,
    readonly metadata: Record<string, string>,
    readonly input: { name: string; dims: (number | string)[] },
    readonly outputNames: readonly string[],
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'result' && reply.type !== 'failed') return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'result') waiting?.resolve(new Map(reply.outputs));
      else waiting?.reject(revive(reply.error));
      if (!this.pending.size) worker.unref(); // an idle model never keeps the process alive
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${path}: the ONNX Runtime worker exited (code ${code})`)));
  }

  /** Loads `path` in a new worker thread; the same one-line errors as OnnxModel.load. */
  static load(path: string, options: { threads?: number } = {}): Promise<OnnxWorkerModel> {
    const worker = spawnModuleWorker(import.meta.url, './onnx-worker', { path, threads: options.threads });
    return new Promise((resolve, reject) => {
      const first = (reply: WorkerReply) => {
        worker.off('message', first);
        worker.off('error', reject);
        if (reply.type === 'ready') {
          worker.unref();
          resolve(new OnnxWorkerModel(worker, path, reply.metadata, reply.input, reply.outputNames));
        } else {
          void worker.terminate();
          reject(reply.type === 'failed' ? revive(reply.error) : new Error(`${path}: unexpected worker reply`));
        }
      };
      worker.on('message', first);
      worker.on('error', reject);
    });
  }

  /** As OnnxModel.run; the input's buffer is handed to the worker (the caller must not use it afterwards). */
  run(data: Float32Array | BigInt64Array, shape: number[], outputs?: string[]): Promise<Map<string, OnnxOutput>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      const request: WorkerRequest = { type: 'run', id, data, shape, outputs };
      this.worker.postMessage(request, data.byteOffset === 0 ? [data.buffer as ArrayBuffer] : []);
    });
  }

  /** Releases the session and stops the worker (once; later calls wait for the same). */
  release(): Promise<void> {
    this.released ??= this.stop();
    return this.released;
  }

  private async stop(): Promise<void> {
    if (this.failure) return;
    this.worker.ref();
    await new Promise<void>((done) => {
      const onReply = (reply: WorkerReply) => {
        if (reply.type !== 'released') return;
        this.worker.off('message', onReply);
        done();
      };
      this.worker.on('message', onReply);
      this.worker.on('exit', () => done());
      this.worker.postMessage({ type: 'release' } satisfies WorkerRequest);
    });
    await this.worker.terminate();
  }
}
