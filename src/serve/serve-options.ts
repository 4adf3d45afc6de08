/** Everything `medattn serve` can be told, with the defaults a reverse-proxied deployment starts from. */
import type { BatchQueueOptions } from './batch-queue.js';

export interface ServeOptions {
  /** Run folders (each with model.onnx); served as their folder name. */
  runs: string[];
  host: string;
  port: number;
  /** Token hash file (medattn token new); without it the API needs no token, which only a loopback host allows. */
  tokenFile?: string;
  /** PEM certificate and key: HTTPS instead of HTTP. */
  cert?: string;
  key?: string;
  /** Largest upload (bytes): larger ones get 413. */
  maxUploadBytes: number;
  /** Largest decoded image (pixels, or voxels of a volume slice): larger ones get 413. */
  maxPixels: number;
  /** Whole-request limit (ms): reading the body, decoding, waiting in the queue and inference. */
  requestTimeoutMs: number;
  /** A client must send its headers within this (ms), or the connection is closed (slow-headers clients). */
  headersTimeoutMs: number;
  /** Decoding one upload may take this long (ms): 422 after it. */
  decodeTimeoutMs: number;
  /** Requests per minute per token (or per address without tokens); 0 = no limit. */
  rateLimit: number;
  batch: BatchQueueOptions;
  /** Origins allowed to call the API from other sites' pages (CORS); none by default. */
  corsOrigins: string[];
  /** ONNX Runtime intra-op threads per model (default MEDATTN_THREADS, else every core). */
  threads?: number;
  /** JSON-lines request logs on stdout (pino). */
  log: boolean;
  /** How long SIGTERM waits for in-flight requests before closing anyway (ms). */
  shutdownGraceMs: number;
}

export const defaultServeOptions: Omit<ServeOptions, 'runs'> = {
  host: '127.0.0.1',
  port: 8080,
  maxUploadBytes: 32 * 1024 * 1024,
  maxPixels: 50_000_000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  decodeTimeoutMs: 10_000,
  rateLimit: 600,
  batch: { maxBatch: 16, maxWaitMs: 2, maxQueue: 256 },
  corsOrigins: [],
  log: true,
  shutdownGraceMs: 25_000,
};
