/**
 * A subset of another dataset, by indices or ids: a cross-validation fold or a hold-out set that still
 * describes itself as JSON (`{ kind: 'subset', of: <spec>, indices: [...] }`), so loader workers can
 * rebuild exactly that fold.
 */
import type { Dataset, DatasetSample, SkippedFile } from './dataset.js';
import { checkIndex } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import type { DatasetSpec } from './spec.js';

export interface SubsetSpec {
  kind: 'subset';
  of: DatasetSpec;
  /** Positions in `of`, in the order wanted. */
  indices?: number[];
  /** Sample ids of `of` (see `Dataset.ids()`), instead of indices. */
  ids?: string[];
  /**
   * Each selected sample appears this many times per epoch (default 1): patch training on a few large
   * images, where every appearance gets its own random crop and augmentation.
   */
  repeat?: number;
}

export class SubsetDataset implements Dataset {
  readonly length: number;
  readonly classNames?: string[];
  private readonly indices: Int32Array;

  constructor(
    private readonly base: Dataset,
    select: { indices?: number[]; ids?: string[]; repeat?: number },
  ) {
    if (select.indices !== undefined && select.ids !== undefined) {
      throw new DatasetSpecError('subset', 'give one of indices or ids, not both');
    }
    const repeat = select.repeat ?? 1;
    if (!Number.isInteger(repeat) || repeat < 1)
      throw new DatasetSpecError('repeat', `must be a positive integer, got ${repeat}`);
    if (select.indices === undefined && select.ids === undefined) {
      this.indices = Int32Array.from({ length: base.length }, (_, i) => i);
    } else if (select.indices) {
      for (const i of select.indices) {
        if (!Number.isInteger(i) || i < 0 || i >= base.length)
          throw new DatasetSpecError('indices', `${i} is outside 0..${base.length - 1}`);
      }
      this.indices = Int32Array.from(select.indices);
    } else {
      const position = new Map(base.ids().map((id, i) => [id, i]));
      this.indices = Int32Array.from(select.ids!, (id) => {
        const i = position.get(id);
        if (i === undefined) throw new DatasetSpecError('ids', `no sample '${id}' in the dataset`);
        return i;
      });
    }
    if (repeat > 1) {
      const once = this.indices;
      this.indices = new Int32Array(once.length * repeat);
      for (let r = 0; r < repeat; r++) this.indices.set(once, r * once.length);
    }
    this.length = this.indices.length;
    if (base.classNames) this.classNames = base.classNames;
  }

  get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'subset dataset');
    return this.base.get(this.indices[index]);
  }

  /** Preloads (if the base dataset's spec asks to) only the samples of this subset. */
  async preload(indices?: Iterable<number>): Promise<boolean> {
    const positions = indices ? Array.from(indices, (i) => this.indices[i]) : this.indices;
    return (await this.base.preload?.(new Set(positions))) === true;
  }

  /** A repeat of a sample is the same sample: the base's source index of the position it selects. */
  sourceIndex(index: number): number {
    checkIndex(index, this.length, 'subset dataset');
    const position = this.indices[index];
    return this.base.sourceIndex?.(position) ?? position;
  }

  labels(): Int32Array | undefined {
    const all = this.base.labels();
    return all ? Int32Array.from(this.indices, (i) => all[i]) : undefined;
  }

  ids(): string[] {
    const all = this.base.ids();
    return Array.from(this.indices, (i) => all[i]);
  }

  describe(): SubsetSpec {
    return { kind: 'subset', of: this.base.describe(), indices: Array.from(this.indices) };
  }

  skipped(): SkippedFile[] {
    return this.base.skipped();
  }
}
