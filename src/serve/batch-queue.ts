/**
 * Micro-batching in front of one ONNX Runtime session: requests that arrive within `maxWaitMs` of the first
 * waiting one (or while a batch runs) share one forward pass of up to `maxBatch` images of the same size. The
 * queue is bounded: past `maxQueue` waiting images a submit fails at once (the route answers 503), so an
 * overload costs a fast refusal instead of growing memory and latency without end.
 */
import type { OnnxOutput } from '../runtime/index.js';

export interface BatchQueueOptions {
  /** Largest batch one forward pass takes. 1 turns batching off. */
  maxBatch: number;
  /** How long the first waiting image waits for others before its batch runs. */
  maxWaitMs: number;
  /** Images waiting (not counting the batch that runs) beyond which submit refuses. */
  maxQueue: number;
}

/** The queue is full: the service is overloaded. */
export class QueueFullError extends Error {}
/** The image waited longer than its deadline before a batch took it. */
export class QueueTimeoutError extends Error {}

type RunBatch = (data: Float32Array, shape: number[]) => Promise<Map<string, OnnxOutput>>;

interface Waiting {
  data: Float32Array;
  /** One image's shape without the batch axis. */
  shape: number[];
  key: string;
  resolve: (outputs: Map<string, OnnxOutput>) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

export class BatchQueue {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runBatch: RunBatch,
    readonly options: BatchQueueOptions,
    /** Called after each forward pass with its batch size and seconds (for metrics). */
    private readonly onBatch: (size: number, seconds: number) => void = () => {},
  ) {}

  /** Images waiting plus those in the running batch. */
  get depth(): number {
    return this.waiting.length + this.running;
  }

  /** One image [C, ...spatial] -> its outputs (each without the batch axis: dims [1, ...]). */
  submit(data: Float32Array, shape: number[], deadlineMs?: number): Promise<Map<string, OnnxOutput>> {
    if (this.waiting.length >= this.options.maxQueue)
      return Promise.reject(new QueueFullError(`queue full (${this.options.maxQueue} images waiting)`));
    return new Promise((resolve, reject) => {
      const item: Waiting = { data, shape, key: shape.join('x'), resolve, reject };
      if (deadlineMs !== undefined)
        item.timer = setTimeout(() => {
          const i = this.waiting.indexOf(item);
          if (i < 0) return; // already in a batch: let it finish
          this.waiting.splice(i, 1);
          reject(new QueueTimeoutError(`waited ${deadlineMs} ms for the model`));
        }, deadlineMs);
      this.waiting.push(item);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || !this.waiting.length) return;
    if (this.waiting.length >= this.options.maxBatch || this.options.maxWaitMs <= 0) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || !this.waiting.length) return;
    // The oldest image's size decides the batch; images of other sizes keep their place for the next one.
    const key = this.waiting[0].key;
    const batch: Waiting[] = [];
    for (let i = 0; i < this.waiting.length && batch.length < this.options.maxBatch;) {
      if (this.waiting[i].key === key) batch.push(...this.waiting.splice(i, 1));
      else i++;
    }
    for (const item of batch) clearTimeout(item.timer);
    this.running = batch.length;
    void this.run(batch);
  }

  /** The batch is done: whatever arrived meanwhile has waited long enough, so it starts before anyone is answered. */
  private next(): void {
    this.running = 0;
    this.flush();
  }

  private async run(batch: Waiting[]): Promise<void> {
    const per = batch[0].data.length;
    const data = new Float32Array(per * batch.length);
    batch.forEach((item, i) => data.set(item.data, i * per));
    const started = process.hrtime.bigint();
    let outputs: Map<string, OnnxOutput>;
    try {
      outputs = await this.runBatch(data, [batch.length, ...batch[0].shape]);
    } catch (e) {
      this.next();
      for (const item of batch) item.reject(e as Error);
      return;
    }
    this.onBatch(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    // With the model in a worker thread the next forward pass then overlaps the answers to this one.
    this.next();
    batch.forEach((item, i) => {
      const mine = new Map<string, OnnxOutput>();
      for (const [name, out] of outputs) {
        const size = out.data.length / batch.length;
        mine.set(name, { data: out.data.slice(i * size, (i + 1) * size), dims: [1, ...out.dims.slice(1)] });
      }
      item.resolve(mine);
    });
  }
}
