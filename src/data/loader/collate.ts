/**
 * Stacks samples into one batch of contiguous typed arrays, ready for one copy into a tensor:
 * - images/masks (`MedicalImage`) → Float32Array of shape [N, C, H, W] (or [N, C, D, H, W]); every sample
 *   must have the same shape (crop or resize first);
 * - integer numbers (class labels) → Int32Array [N]; other numbers → Float32Array [N];
 * - number arrays / typed arrays (multi-label targets, tabular features) → Float32Array [N, K].
 * Other fields (strings, objects) are not collated: keep identifiers in the dataset and use `indices`.
 */
import { isMedicalImage, type Sample } from '../transforms/transform.js';
import { LoaderError } from './loader-error.js';

export interface BatchField {
  data: Float32Array | Int32Array;
  shape: number[];
}

export interface Batch {
  epoch: number;
  /** Position of this batch in its epoch. */
  index: number;
  /** Dataset index of each sample, in batch order. */
  indices: Int32Array;
  /** Stacked fields by sample key (`image`, `mask`, `label`, ...). */
  fields: Record<string, BatchField>;
  /** Samples left out because a skipBad dataset could not read their file. */
  skipped?: { file: string; reason: string }[];
}

export function collate(samples: Sample[], indices: readonly number[], epoch = 0, index = 0): Batch {
  const n = samples.length;
  const fields: Record<string, BatchField> = {};
  if (n === 0) return { epoch, index, indices: new Int32Array(0), fields };
  for (const key of Object.keys(samples[0])) {
    const first = samples[0][key];
    const where = (i: number): string => `collate: sample ${indices[i]} field "${key}"`;
    if (isMedicalImage(first)) {
      const shape = first.shape;
      const size = first.data.length;
      const out = new Float32Array(n * size);
      samples.forEach((s, i) => {
        const v = s[key];
        if (!isMedicalImage(v)) throw new LoaderError(`${where(i)} is not an image like in sample ${indices[0]}`);
        if (v.shape.length !== shape.length || v.shape.some((d, j) => d !== shape[j])) {
          throw new LoaderError(
            `${where(i)} has shape [${v.shape.join(',')}] but sample ${indices[0]} has [${shape.join(',')}]; crop or resize to one size`,
          );
        }
        out.set(v.data as ArrayLike<number>, i * size);
      });
      fields[key] = { data: out, shape: [n, ...shape] };
    } else if (typeof first === 'number') {
      const values = samples.map((s, i) => {
        const v = s[key];
        if (typeof v !== 'number') throw new LoaderError(`${where(i)} is not a number like in sample ${indices[0]}`);
        return v;
      });
      const ints = values.every((v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647);
      fields[key] = { data: ints ? Int32Array.from(values) : Float32Array.from(values), shape: [n] };
    } else if (Array.isArray(first) || (ArrayBuffer.isView(first) && !(first instanceof DataView))) {
      const k = (first as ArrayLike<number>).length;
      const out = new Float32Array(n * k);
      samples.forEach((s, i) => {
        const v = s[key] as ArrayLike<number>;
        if (v?.length !== k)
          throw new LoaderError(`${where(i)} has length ${v?.length} but sample ${indices[0]} has ${k}`);
        for (let j = 0; j < k; j++) out[i * k + j] = Number(v[j]);
      });
      fields[key] = { data: out, shape: [n, k] };
    }
  }
  return { epoch, index, indices: Int32Array.from(indices), fields };
}

/** The buffers of a batch, to transfer (not copy) it between threads. */
export function batchTransferList(batch: Batch): ArrayBuffer[] {
  const list: ArrayBuffer[] = [batch.indices.buffer as ArrayBuffer];
  for (const f of Object.values(batch.fields)) if (f.data.buffer instanceof ArrayBuffer) list.push(f.data.buffer);
  return list;
}
