/**
 * The native addon (native/, built by node-gyp over libtorch) and its surface. Nothing outside src/tensor
 * talks to it directly. It loads when a tensor function is first called, not at import, so that importing the
 * readers, datasets or metrics (or `medattn` as a whole) neither needs libtorch nor changes the process's thread
 * and malloc settings.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handle to a libtorch tensor owned by JavaScript. */
export type TensorHandle = { readonly __tensorHandle: unique symbol };
/** Opaque handle to an ATen operator looked up by schema name. */
export type OpHandle = { readonly __opHandle: unique symbol };
/** A c10d process group (see src/distributed/process-group.ts). */
export type ProcessGroupHandle = { readonly __processGroup: unique symbol };

export interface NativeAddon {
  findOp(name: string, overload: string): OpHandle | undefined;
  opSchema(op: OpHandle): string;
  callOp(op: OpHandle, args: unknown[]): unknown;
  fromBuffer(data: ArrayBufferView | ArrayBuffer, shape: number[], dtypeCode: number): TensorHandle;
  toBuffer(t: TensorHandle, zeroCopy?: boolean): ArrayBuffer;
  meta(t: TensorHandle): [number[], number, string, boolean];
  shape(t: TensorHandle): number[];
  item(t: TensorHandle): number | boolean;
  isContiguous(t: TensorHandle, memoryFormatCode: number): boolean;
  strides(t: TensorHandle): number[];
  dispose(t: TensorHandle): void;
  isDisposed(t: TensorHandle): boolean;
  liveTensors(): number;
  /** Turns reporting of new tensors' bytes to V8 on or off; returns the previous setting. */
  setReportExternal(on: boolean): boolean;
  /** Reports a tensor's bytes to V8 if they were not reported at creation. */
  reportExternal(handle: TensorHandle): void;
  /** Bytes currently reported to V8 by the addon. */
  reportedExternalBytes(): number;
  setRequiresGrad(t: TensorHandle, value: boolean): void;
  grad(t: TensorHandle): TensorHandle | undefined;
  setGrad(t: TensorHandle, g: TensorHandle | undefined): void;
  isLeaf(t: TensorHandle): boolean;
  backward(t: TensorHandle, gradient?: TensorHandle, retainGraph?: boolean): void;
  gradEnabled(): boolean;
  setGradEnabled(enabled: boolean): void;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setDeterministic(on: boolean): void;
  keepFreedMemory(): boolean;
  /** Sets OpenBLAS's own threads; returns the count before, or -1 when the process's BLAS is not OpenBLAS. */
  setBlasThreads(n: number): number;
  cudaAvailable(): boolean;
  version(): string;
  parallelInfo(): string;
  processGroupCreate(
    addr: string,
    port: number,
    rank: number,
    size: number,
    timeoutMs: number,
  ): Promise<ProcessGroupHandle>;
  allreduceSum(group: ProcessGroupHandle, tensors: TensorHandle[], timeoutMs: number): Promise<void>;
  broadcast(group: ProcessGroupHandle, tensors: TensorHandle[], root: number, timeoutMs: number): Promise<void>;
  barrier(group: ProcessGroupHandle, timeoutMs: number): Promise<void>;
  processGroupDestroy(group: ProcessGroupHandle): void;
  syncBatchNorm(
    group: ProcessGroupHandle,
    x: TensorHandle,
    weight: TensorHandle | null,
    bias: TensorHandle | null,
    runningMean: TensorHandle | null,
    runningVar: TensorHandle | null,
    momentum: number,
    eps: number,
    timeoutMs: number,
  ): TensorHandle;
}

/** Every function of NativeAddon: each starts as a stub that loads the addon and is then replaced by the real one. */
const methods = [
  'findOp',
  'opSchema',
  'callOp',
  'fromBuffer',
  'toBuffer',
  'meta',
  'shape',
  'item',
  'isContiguous',
  'strides',
  'dispose',
  'isDisposed',
  'liveTensors',
  'setReportExternal',
  'reportExternal',
  'reportedExternalBytes',
  'setRequiresGrad',
  'grad',
  'setGrad',
  'isLeaf',
  'backward',
  'gradEnabled',
  'setGradEnabled',
  'manualSeed',
  'setNumThreads',
  'getNumThreads',
  'setDeterministic',
  'keepFreedMemory',
  'setBlasThreads',
  'cudaAvailable',
  'version',
  'parallelInfo',
  'processGroupCreate',
  'allreduceSum',
  'broadcast',
  'barrier',
  'processGroupDestroy',
  'syncBatchNorm',
] as const satisfies readonly (keyof NativeAddon)[];
// Fails to compile when NativeAddon gains a function that is missing above.
const everyMethodListed: [Exclude<keyof NativeAddon, (typeof methods)[number]>] extends [never] ? true : never = true;
void everyMethodListed;

let loaded = false;

/** Whether the addon (and with it libtorch) has been loaded into this process. */
export function nativeLoaded(): boolean {
  return loaded;
}

function load(): NativeAddon {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const path = join(root, 'build', 'Release', 'medattn.node');
  if (!existsSync(path)) {
    throw new Error(
      `medattn: native addon not built (${path} missing): tensors need libtorch (\`sudo apt-get install libtorch-dev\`), then \`npm rebuild medattn\` (\`npm run build:native\` in a checkout)`,
    );
  }
  // libtorch's c10d logs its socket retries and failures to stderr through glog; medattn reports those failures
  // as one-line errors, so only glog's fatal messages stay on (GLOG_minloglevel, read when libtorch loads).
  process.env.GLOG_minloglevel ??= '3';
  const addon = createRequire(import.meta.url)(path) as NativeAddon;
  applyProcessSettings(addon);
  return addon;
}

/** Intra-op threads for libtorch and ONNX Runtime: MEDATTN_THREADS, else every core. */
export function defaultThreadCount(): number {
  const envThreads = Number(process.env.MEDATTN_THREADS);
  return Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism();
}

/** OpenBLAS threads: MEDATTN_BLAS_THREADS, else 1 (libtorch's OpenMP threads already use every core). */
export function blasThreadCount(): number {
  const envThreads = Number(process.env.MEDATTN_BLAS_THREADS);
  return Number.isInteger(envThreads) && envThreads > 0 ? envThreads : 1;
}

/** The settings that come with libtorch, applied once when the addon loads (before the caller's own call). */
function applyProcessSettings(addon: NativeAddon): void {
  // libtorch's default under Node is one thread; use every core, as the default asks.
  addon.setNumThreads(defaultThreadCount());
  // Freed tensor memory stays in the heap for the next step instead of being unmapped and page-faulted in again
  // (see keepFreedMemory in native/src/runtime.cc). MEDATTN_KEEP_FREED_MEMORY=0 keeps glibc's defaults, for a
  // process that must hand memory back to the system after a peak.
  if (process.env.MEDATTN_KEEP_FREED_MEMORY !== '0') addon.keepFreedMemory();
  // BLAS calls run on the calling thread: OpenBLAS's own threads spin between calls and starve libtorch's OpenMP
  // threads (2x on a DRIVE U-Net epoch, 3.9x on a PhysioNet epoch; see setBlasThreads in native/src/runtime.cc).
  // MEDATTN_BLAS_THREADS=N gives OpenBLAS N threads again.
  addon.setBlasThreads(blasThreadCount());
}

type Method = (...args: unknown[]) => unknown;
const table = {} as Record<(typeof methods)[number], Method>;

/** Loads the addon and puts its functions in place of the stubs (a plain property call from then on). */
function ensureLoaded(): void {
  if (loaded) return;
  const addon = load() as unknown as Record<(typeof methods)[number], Method>;
  for (const name of methods) table[name] = addon[name];
  loaded = true;
}

for (const name of methods) {
  table[name] = (...args: unknown[]) => {
    ensureLoaded();
    return table[name](...args);
  };
}

export const native = table as unknown as NativeAddon;
