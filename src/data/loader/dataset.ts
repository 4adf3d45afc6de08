/**
 * What the loader reads samples from, and how a worker thread rebuilds it.
 *
 * A `Dataset` is any object with `length` and `get(index)` returning a sample dictionary (`{ image, mask,
 * label }`, images as `MedicalImage`). Worker threads cannot receive objects with code, so the loader takes a
 * *description* each worker can rebuild:
 * - `{ module, export?, options? }`: a module (path or file URL) whose export (default `createDataset`) is
 *   a function `(options) => Dataset | Promise<Dataset>`; each worker imports it and calls it with `options`
 *   (structured-cloned, so SharedArrayBuffers inside are shared, not copied);
 * - `{ arrays }`: in-memory arrays with a leading sample axis, e.g. `image` [N, C, H, W] uint8 and `label`
 *   [N]; put them on SharedArrayBuffers (`shareArrays`) and every worker reads the same memory.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { MedicalImage, PixelArray } from '../medical-image.js';
import type { Sample } from '../transforms/transform.js';
import { LoaderError } from './loader-error.js';

export interface Dataset {
  readonly length: number;
  get(index: number): Sample | Promise<Sample>;
  /** Called once when the loader opens the dataset (in each worker): decode ahead what the dataset keeps. */
  preload?(): Promise<void>;
}

export interface ModuleRef {
  /** Absolute or cwd-relative path, or a file: URL. */
  module: string;
  /** Export to call (default `createDataset` for datasets, `createTransform` for pipelines). */
  export?: string;
  /** Passed to the factory (must be structured-cloneable). */
  options?: unknown;
}

export interface ArrayField {
  /** All samples' values, sample axis first. */
  data: PixelArray;
  /** [N, ...per-sample shape]. */
  shape: number[];
  /** `image` (default when the per-sample shape has 2+ axes): a MedicalImage per sample; `value`: a number
   * (per-sample size 1) or a Float32Array. */
  kind?: 'image' | 'value';
}

export type DatasetSpec = ModuleRef | { arrays: Record<string, ArrayField> };

/** Imports `ref.module` and returns the named export. */
export async function importExport(ref: ModuleRef, fallback: string): Promise<unknown> {
  const m = ref.module;
  const url = m.startsWith('file:') ? m : pathToFileURL(isAbsolute(m) ? m : resolve(m)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new LoaderError(`cannot import module "${m}": ${(e as Error).message}`, { cause: e });
  }
  const name = ref.export ?? fallback;
  if (!(name in mod)) throw new LoaderError(`module "${m}" has no export "${name}" (exports: ${Object.keys(mod).join(', ')})`);
  return mod[name];
}

/** Builds the dataset a description names. */
export async function openDataset(spec: DatasetSpec): Promise<Dataset> {
  if ('arrays' in spec) return new ArrayDataset(spec.arrays);
  const factory = await importExport(spec, 'createDataset');
  if (typeof factory !== 'function') throw new LoaderError(`dataset export of "${spec.module}" is not a function`);
  const ds = (await (factory as (o: unknown) => unknown)(spec.options)) as Dataset;
  if (!ds || typeof ds.get !== 'function' || !Number.isInteger(ds.length)) {
    throw new LoaderError(`dataset factory of "${spec.module}" must return { length, get(index) }`);
  }
  await ds.preload?.();
  return ds;
}

/** Copies arrays onto SharedArrayBuffers (unless they already are), so workers share one copy. */
export function shareArrays(fields: Record<string, ArrayField>): Record<string, ArrayField> {
  const out: Record<string, ArrayField> = {};
  for (const [k, f] of Object.entries(fields)) {
    if (f.data.buffer instanceof SharedArrayBuffer) {
      out[k] = f;
      continue;
    }
    const Ctor = f.data.constructor as new (b: SharedArrayBuffer) => PixelArray;
    const shared = new Ctor(new SharedArrayBuffer(f.data.byteLength));
    shared.set(f.data as never);
    out[k] = { ...f, data: shared };
  }
  return out;
}

/** Samples as views into arrays with a leading sample axis (no copy: transforms never mutate inputs). */
export class ArrayDataset implements Dataset {
  readonly length: number;
  constructor(private readonly fields: Record<string, ArrayField>) {
    const entries = Object.entries(fields);
    if (entries.length === 0) throw new LoaderError('ArrayDataset: no fields');
    this.length = entries[0][1].shape[0];
    for (const [k, f] of entries) {
      const n = f.shape.reduce((a, b) => a * b, 1);
      if (f.data.length !== n) throw new LoaderError(`ArrayDataset: field "${k}" has ${f.data.length} values but shape [${f.shape.join(',')}]`);
      if (f.shape[0] !== this.length) throw new LoaderError(`ArrayDataset: field "${k}" has ${f.shape[0]} samples, "${entries[0][0]}" has ${this.length}`);
    }
  }
  get(index: number): Sample {
    if (!(Number.isInteger(index) && index >= 0 && index < this.length)) throw new LoaderError(`ArrayDataset: index ${index} out of range 0..${this.length - 1}`);
    const s: Sample = {};
    for (const [k, f] of Object.entries(this.fields)) {
      const per = f.shape.slice(1);
      const size = per.reduce((a, b) => a * b, 1);
      const view = f.data.subarray(index * size, (index + 1) * size) as PixelArray;
      const kind = f.kind ?? (per.length >= 2 ? 'image' : 'value');
      if (kind === 'image') s[k] = { data: view, shape: per } satisfies MedicalImage;
      else s[k] = size === 1 ? Number(view[0]) : Float32Array.from(view as ArrayLike<number>);
    }
    return s;
  }
}
