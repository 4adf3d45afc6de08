/**
 * 3D patches of NIfTI volumes with their label patches, for 3D networks on volumes too large to train whole.
 * Positions are fixed at creation, so `length` is known and a seed gives the same patches in every worker:
 * `grid` tiles each volume with a stride (the last patch is shifted back to end at the border, so every voxel
 * is covered); `random` draws `count` positions per volume from the seed.
 */
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import type { MedicalImage } from '../medical-image.js';
import { extractRegion } from '../transforms/crop-or-pad.js';
import { Rng } from '../transforms/rng.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import {
  countForeground,
  loadVolume,
  normalisedSpec,
  volumeEntries,
  volumeOptionsShape,
  type LoadedVolume,
} from './nifti-volumes.js';

const size3 = z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]);

export const niftiPatchesSpecSchema = z.strictObject({
  kind: z.literal('niftiPatches'),
  ...volumeOptionsShape,
  /** Patch size [D, H, W] in voxels. */
  patchSize: size3,
  mode: z.enum(['grid', 'random']).default('grid'),
  /** Grid step [D, H, W] (default: the patch size, no overlap). */
  stride: size3.optional(),
  /** Random patches per volume. */
  count: z.number().int().min(1).optional(),
  seed: z.number().int().default(0),
  /** Only patches with at least `minForeground` mask voxels (random mode redraws until one has). */
  foregroundOnly: z.boolean().default(false),
  minForeground: z.number().int().min(1).default(1),
  /**
   * Only patches inside this box of each volume ([D, H, W] voxels after reorientation): distinct regions of one
   * volume for training and validation (e.g. the left and the right hemisphere of an atlas).
   */
  region: z
    .strictObject({
      start: z.tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(0)]),
      size: size3,
    })
    .optional(),
});
export type NiftiPatchesSpec = z.input<typeof niftiPatchesSpecSchema>;

/** Attempts per random patch before giving up on finding foreground. */
const MAX_DRAWS = 10000;

export class NiftiPatchesDataset implements Dataset {
  readonly length: number;

  private constructor(
    private readonly spec: z.output<typeof niftiPatchesSpecSchema>,
    private readonly volumes: LoadedVolume[],
    /** Per sample: volume index, then d, h, w of the patch corner. */
    private readonly entries: Int32Array,
    private readonly bad: BadFiles,
  ) {
    this.length = entries.length / 4;
  }

  static async create(
    parsed: z.output<typeof niftiPatchesSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<NiftiPatchesDataset> {
    const list = volumeEntries(parsed, options.baseDir);
    if (parsed.mode === 'random' && parsed.count === undefined)
      throw new DatasetSpecError('count', 'random patches need a count (patches per volume)');
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
      const full = v.image.shape.slice(1);
      const region = parsed.region ?? { start: [0, 0, 0], size: full };
      if (region.start.some((s, i) => s + region.size[i] > full[i]))
        throw new DatasetSpecError(
          'region',
          `[${region.start.join(', ')}] + [${region.size.join(', ')}] reaches outside volume ${entry.image} [${full.join(', ')}]`,
        );
      const dims = region.size;
      const offset = (corner: number[]) => corner.map((c, a) => c + region.start[a]);
      const size = parsed.patchSize;
      if (size.some((p, i) => p > dims[i])) {
        throw new DatasetSpecError(
          'patchSize',
          `[${size.join(', ')}] is larger than ${parsed.region ? 'the region of volume' : 'volume'} ${entry.image} [${dims.join(', ')}]`,
        );
      }
      if (parsed.foregroundOnly && !v.mask)
        throw new DatasetSpecError('foregroundOnly', `volume ${entry.image} has no label volume`);
      const vi = volumes.push(v) - 1;
      const keep = (corner: number[]) =>
        !parsed.foregroundOnly || countForeground(v.mask!, offset(corner), size) >= parsed.minForeground;
      if (parsed.mode === 'grid') {
        const stride = parsed.stride ?? size;
        const axes = dims.map((n, a) => gridStarts(n, size[a], stride[a]));
        for (const d of axes[0])
          for (const h of axes[1]) for (const w of axes[2]) if (keep([d, h, w])) entries.push(vi, ...offset([d, h, w]));
      } else {
        // Each volume has its own stream: adding a volume does not move the patches of the others.
        const rng = Rng.seeded(parsed.seed).fork(vi);
        for (let p = 0; p < parsed.count!; p++) {
          let draws = 0;
          let corner: number[];
          do {
            if (++draws > MAX_DRAWS) {
              throw new MedattnDataError(
                entry.label ?? entry.image,
                `no ${size.join('x')} patch with ${parsed.minForeground} foreground voxels found in ${MAX_DRAWS} draws`,
              );
            }
            corner = dims.map((n, a) => rng.int(n - size[a] + 1));
          } while (!keep(corner));
          entries.push(vi, ...offset(corner));
        }
      }
    }
    return new NiftiPatchesDataset(
      normalisedSpec(parsed, list, options.skipBad),
      volumes,
      Int32Array.from(entries),
      bad,
    );
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'niftiPatches dataset');
    const v = this.volumes[this.entries[4 * index]];
    const corner = Array.from(this.entries.subarray(4 * index + 1, 4 * index + 4));
    const size = this.spec.patchSize;
    const image = { ...extractRegion(v.image, corner, size), meta: { ...v.image.meta, patchStart: corner } };
    const sample: DatasetSample = { id: this.idOf(index), image: withOrigin(image, v.image, corner) };
    if (v.mask)
      sample.mask = withOrigin(extractRegion(v.mask, corner, size), v.mask, corner) as MedicalImage<Uint8Array>;
    return sample;
  }

  labels(): undefined {
    return undefined;
  }

  ids(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.idOf(i));
  }

  describe(): NiftiPatchesSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }

  private idOf(index: number): string {
    const e = this.entries;
    return `${this.volumes[e[4 * index]].id}:patch:${e[4 * index + 1]},${e[4 * index + 2]},${e[4 * index + 3]}`;
  }
}

/** Patch starts along one axis: 0, stride, 2*stride, ... and a last one ending at the border. */
export function gridStarts(n: number, size: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + size <= n; s += stride) starts.push(s);
  if (starts[starts.length - 1] + size < n) starts.push(n - size);
  return starts;
}

/** The patch keeps world coordinates: its affine is the volume's, shifted to the patch corner. */
function withOrigin(patch: MedicalImage, volume: MedicalImage, corner: number[]): MedicalImage {
  const { spacing, affine } = volume;
  const out: MedicalImage = { ...patch, ...(spacing ? { spacing: spacing.slice() } : {}) };
  if (affine) {
    const [d, h, w] = corner; // voxel (i, j, k) = (w, h, d)
    out.affine = affine.map((row) => [row[0], row[1], row[2], row[3] + row[0] * w + row[1] * h + row[2] * d]);
  }
  return out;
}
