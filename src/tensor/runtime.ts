/** Process-wide engine settings: threads, seeds, devices, versions. */
import { availableParallelism } from 'node:os';
import { native } from './native.js';

/** Seeds libtorch's CPU (and CUDA) generators: the same seed gives bit-identical CPU runs. */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** Intra-op threads used by libtorch (default: all cores). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Makes libtorch refuse non-deterministic algorithms (matters on CUDA; CPU kernels already are). */
export function setDeterministic(on: boolean): void {
  native.setDeterministic(on);
}

export function cudaAvailable(): boolean {
  return native.cudaAvailable();
}

/** 'cuda' when the libtorch build and machine have a GPU, else 'cpu'. */
export function defaultDevice(): 'cpu' | 'cuda' {
  return cudaAvailable() ? 'cuda' : 'cpu';
}

export function libtorchVersion(): string {
  return native.version();
}

export function parallelInfo(): string {
  return native.parallelInfo();
}

// libtorch's default under Node is one thread; use every core, as the default asks.
const envThreads = Number(process.env.MEDATTN_THREADS);
native.setNumThreads(Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism());

// Freed tensor memory stays in the heap for the next step instead of being unmapped and page-faulted in again
// (see keepFreedMemory in native/src/runtime.cc). MEDATTN_KEEP_FREED_MEMORY=0 keeps glibc's defaults, for a
// process that must hand memory back to the system after a peak.
if (process.env.MEDATTN_KEEP_FREED_MEMORY !== '0') native.keepFreedMemory();
