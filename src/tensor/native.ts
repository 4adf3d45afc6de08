/**
 * Loads the native addon (native/, built by node-gyp over libtorch) and describes its surface. Nothing
 * outside src/tensor talks to it directly.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handle to a libtorch tensor owned by JavaScript. */
export type TensorHandle = { readonly __tensorHandle: unique symbol };
/** Opaque handle to an ATen operator looked up by schema name. */
export type OpHandle = { readonly __opHandle: unique symbol };

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
  cudaAvailable(): boolean;
  version(): string;
  parallelInfo(): string;
}

function load(): NativeAddon {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const path = join(root, 'build', 'Release', 'medattn.node');
  if (!existsSync(path)) {
    throw new Error(`medattn: native addon not built (${path} missing); run \`npm run build:native\``);
  }
  return createRequire(import.meta.url)(path) as NativeAddon;
}

export const native: NativeAddon = load();
