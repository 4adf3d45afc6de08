/**
 * In-memory arrays as a dataset (`{ kind: 'arrays', arrays: { image, label, ... } }`): every field has a
 * leading sample axis, e.g. `image` [N, C, H, W] uint8 and `label` [N]. The spec is structured-cloned to the
 * loader's worker threads, so put the arrays on SharedArrayBuffers (`shareArrays`) and every worker reads the
 * same memory instead of a copy. Not for config files: JSON cannot hold typed arrays.
 */
import * as z from 'zod';
import type { MedicalImage, PixelArray } from '../medical-image.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';

export interface ArrayField {
  /** All samples' values, sample axis first. */
  data: PixelArray;
  /** [N, ...per-sample shape]. */
  shape: number[];
  /** `image` (default when the per-sample shape has 2+ axes): a MedicalImage per sample; `value`: a number
   * (per-sample size 1) or a Float32Array. */
  kind?: 'image' | 'value';
}

const arrayFieldSchema = z.strictObject({
  data: z.custom<PixelArray>((v) => ArrayBuffer.isView(v) && !(v instanceof DataView), 'expected a typed array'),
  shape: z.array(z.number().int().min(0)).min(1),
  kind: z.enum(['image', 'value']).optional(),
});

export const arraysSpecSchema = z.strictObject({
  kind: z.literal('arrays'),
  /** Fields by sample key; `image` is required. */
  arrays: z.record(z.string(), arrayFieldSchema),
});

export type ArraysSpec = z.input<typeof arraysSpecSchema>;

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

/** Samples as views into the arrays (no copy: transforms never mutate inputs); ids are the sample indices. */
export class ArrayDataset implements Dataset {
  readonly length: number;

  constructor(private readonly spec: ArraysSpec) {
    const entries = Object.entries(spec.arrays);
    const image = spec.arrays.image;
    if (!image)
      throw new DatasetSpecError(
        "kind 'arrays': arrays",
        `needs an 'image' field, got ${entries.map(([k]) => k).join(', ') || 'none'}`,
      );
    if (image.shape.length < 3 || image.kind === 'value') {
      throw new DatasetSpecError(
        "kind 'arrays': arrays.image",
        `must be images [N, C, ...spatial], got shape [${image.shape.join(',')}]`,
      );
    }
    this.length = image.shape[0];
    for (const [k, f] of entries) {
      const n = f.shape.reduce((a, b) => a * b, 1);
      if (f.data.length !== n)
        throw new DatasetSpecError(
          `kind 'arrays': arrays.${k}`,
          `has ${f.data.length} values but shape [${f.shape.join(',')}]`,
        );
      if (f.shape[0] !== this.length)
        throw new DatasetSpecError(
          `kind 'arrays': arrays.${k}`,
          `has ${f.shape[0]} samples, 'image' has ${this.length}`,
        );
    }
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'arrays dataset');
    const s: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(this.spec.arrays)) {
      const per = f.shape.slice(1);
      const size = per.reduce((a, b) => a * b, 1);
      const view = f.data.subarray(index * size, (index + 1) * size) as PixelArray;
      const kind = f.kind ?? (per.length >= 2 ? 'image' : 'value');
      if (kind === 'image') s[k] = { data: view, shape: per } satisfies MedicalImage;
      else s[k] = size === 1 ? Number(view[0]) : Float32Array.from(view as ArrayLike<number>);
    }
    return { ...s, id: String(index), image: s.image as MedicalImage };
  }

  labels(): Int32Array | undefined {
    const label = this.spec.arrays.label;
    if (!label || label.shape.length !== 1) return undefined;
    return Int32Array.from(label.data as ArrayLike<number>);
  }

  ids(): string[] {
    return Array.from({ length: this.length }, (_, i) => String(i));
  }

  describe(): ArraysSpec {
    return this.spec;
  }

  skipped(): SkippedFile[] {
    return [];
  }
}
