/**
 * 2D slices of NIfTI volumes with their label slices: 2D networks on 3D data (one sample per slice along an
 * axis, optionally only slices that show some foreground, since most slices of an atlas region are empty).
 */
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { sliceVolume } from '../io/nifti.js';
import type { MedicalImage } from '../medical-image.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { loadVolume, normalisedSpec, volumeEntries, volumeOptionsShape, type LoadedVolume } from './nifti-volumes.js';

export const niftiSlicesSpecSchema = z.strictObject({
  kind: z.literal('niftiSlices'),
  ...volumeOptionsShape,
  /** 'axial' | 'coronal' | 'sagittal' (on canonical volumes), or 0 | 1 | 2 for D | H | W. */
  axis: z.union([z.enum(['axial', 'coronal', 'sagittal']), z.literal(0), z.literal(1), z.literal(2)]).default('axial'),
  /** Only slices with at least `minForeground` mask voxels. */
  foregroundOnly: z.boolean().default(false),
  minForeground: z.number().int().min(1).default(1),
});
export type NiftiSlicesSpec = z.input<typeof niftiSlicesSpecSchema>;

const AXIS_NAMES = ['axial', 'coronal', 'sagittal'];

export class NiftiSlicesDataset implements Dataset {
  readonly length: number;

  private constructor(
    private readonly spec: z.output<typeof niftiSlicesSpecSchema>,
    private readonly volumes: LoadedVolume[],
    /** Pairs (volume, slice) per sample. */
    private readonly entries: Int32Array,
    private readonly bad: BadFiles,
  ) {
    this.length = entries.length / 2;
  }

  static async create(
    parsed: z.output<typeof niftiSlicesSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<NiftiSlicesDataset> {
    const list = volumeEntries(parsed, options.baseDir);
    const axis = axisIndex(parsed.axis);
    const bad = new BadFiles(options.skipBad);
    const volumes: LoadedVolume[] = [];
    const entries: number[] = [];
    for (const entry of list) {
      let v: LoadedVolume;
      try {
        v = await loadVolume(entry, parsed);
      } catch (e) {
        if (!(e instanceof MedattnDataError)) throw e;
        bad.reject(e);
        continue;
      }
      if (parsed.foregroundOnly && !v.mask)
        throw new DatasetSpecError('foregroundOnly', `volume ${entry.image} has no label volume`);
      const vi = volumes.push(v) - 1;
      const perSlice = parsed.foregroundOnly ? foregroundPerSlice(v.mask!, axis) : undefined;
      const count = v.image.shape[1 + axis];
      for (let s = 0; s < count; s++) {
        if (!perSlice || perSlice[s] >= parsed.minForeground) entries.push(vi, s);
      }
    }
    const spec = normalisedSpec(parsed, list, options.skipBad);
    return new NiftiSlicesDataset(spec, volumes, Int32Array.from(entries), bad);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'niftiSlices dataset');
    const v = this.volumes[this.entries[2 * index]];
    const s = this.entries[2 * index + 1];
    const axis = this.spec.axis;
    const sample: DatasetSample = { id: this.idOf(index), image: sliceVolume(v.image, axis, s) };
    if (v.mask) sample.mask = sliceVolume(v.mask, axis, s) as MedicalImage<Uint8Array>;
    return sample;
  }

  labels(): undefined {
    return undefined;
  }

  ids(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.idOf(i));
  }

  describe(): NiftiSlicesSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }

  private idOf(index: number): string {
    const v = this.volumes[this.entries[2 * index]];
    const axis = this.spec.axis;
    return `${v.id}:${typeof axis === 'string' ? axis : AXIS_NAMES[axis]}:${this.entries[2 * index + 1]}`;
  }
}

function axisIndex(axis: 'axial' | 'coronal' | 'sagittal' | 0 | 1 | 2): 0 | 1 | 2 {
  return axis === 'axial' ? 0 : axis === 'coronal' ? 1 : axis === 'sagittal' ? 2 : axis;
}

/** Foreground voxels in each slice along spatial axis `axis` (0 = D, 1 = H, 2 = W) of a [1, D, H, W] mask. */
export function foregroundPerSlice(mask: MedicalImage<Uint8Array>, axis: 0 | 1 | 2): Int32Array {
  const [, D, H, W] = mask.shape;
  const counts = new Int32Array([D, H, W][axis]);
  let i = 0;
  for (let d = 0; d < D; d++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++, i++) {
        if (mask.data[i] !== 0) counts[axis === 0 ? d : axis === 1 ? h : w]++;
      }
    }
  }
  return counts;
}
