/**
 * A user-defined dataset by module reference (`{ kind: 'module', module, export?, options? }`): an escape hatch
 * for data no built-in kind reads. Each loader worker imports the module and calls its export (default
 * `createDataset`) with `options` (structured-cloned, so SharedArrayBuffers inside are shared, not copied).
 * The factory returns at least `{ length, get(index) }`, where a sample has an `image`; `labels`, `ids`,
 * `classNames` and `preload` are used when present.
 */
import * as z from 'zod';
import { importExport } from '../module-ref.js';
import type { MedicalImage } from '../medical-image.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';

export const moduleSpecSchema = z.strictObject({
  kind: z.literal('module'),
  /** Absolute or cwd-relative path, or a file: URL. */
  module: z.string().min(1),
  /** The factory's export name (default `createDataset`). */
  export: z.string().min(1).optional(),
  /** Passed to the factory (must be structured-cloneable). */
  options: z.unknown().optional(),
});

export type ModuleSpec = z.input<typeof moduleSpecSchema>;

/** What a module's dataset factory returns: the least a dataset needs, plus what it can answer cheaply. */
export interface ModuleDatasetSource {
  readonly length: number;
  readonly classNames?: string[];
  get(index: number): Record<string, unknown> | Promise<Record<string, unknown>>;
  labels?(): Int32Array | undefined;
  ids?(): string[];
  preload?(indices?: Iterable<number>): Promise<void>;
}

function isSource(v: unknown): v is ModuleDatasetSource {
  const s = v as ModuleDatasetSource | null;
  return typeof s === 'object' && s !== null && typeof s.get === 'function' && Number.isInteger(s.length);
}

function isImage(v: unknown): v is MedicalImage {
  const m = v as MedicalImage | null;
  return typeof m === 'object' && m !== null && ArrayBuffer.isView(m.data) && Array.isArray(m.shape);
}

export class ModuleDataset implements Dataset {
  readonly length: number;
  readonly classNames?: string[];

  private constructor(
    private readonly spec: ModuleSpec,
    private readonly source: ModuleDatasetSource,
  ) {
    this.length = source.length;
    if (source.classNames) this.classNames = source.classNames;
  }

  static async create(spec: ModuleSpec): Promise<ModuleDataset> {
    const fail = (reason: string) => new DatasetSpecError("kind 'module'", reason);
    const factory = await importExport(spec, 'createDataset', fail);
    if (typeof factory !== 'function')
      throw fail(`export "${spec.export ?? 'createDataset'}" of "${spec.module}" is not a function`);
    const source = await (factory as (options: unknown) => unknown)(spec.options);
    if (!isSource(source)) throw fail(`the factory of "${spec.module}" must return { length, get(index) }`);
    return new ModuleDataset(spec, source);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, `module dataset "${this.spec.module}"`);
    const s = await this.source.get(index);
    if (!isImage(s.image))
      throw new DatasetSpecError("kind 'module'", `sample ${index} of "${this.spec.module}" has no image`);
    return { ...s, id: typeof s.id === 'string' ? s.id : String(index), image: s.image };
  }

  labels(): Int32Array | undefined {
    return this.source.labels?.();
  }

  ids(): string[] {
    return this.source.ids?.() ?? Array.from({ length: this.length }, (_, i) => String(i));
  }

  describe(): ModuleSpec {
    return this.spec;
  }

  skipped(): SkippedFile[] {
    return [];
  }

  async preload(indices?: Iterable<number>): Promise<void> {
    await this.source.preload?.(indices);
  }
}
