/**
 * Process-wide engine settings: threads, seeds, devices, versions. The defaults (all cores, freed memory kept)
 * are applied when the addon first loads: see native.ts.
 */
import { native } from './native.js';

export { defaultThreadCount } from './native.js';

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
