/**
 * What the NIfTI slice and patch datasets share: the list of (image, label) volume pairs, reading them onto
 * one grid, and turning the label volume into the mask the task wants (selected atlas regions as binary
 * 0/1, or as classes 1..k). Decoded volumes are cached per process, like MedMNIST splits, because loader
 * workers rebuild these datasets and a .nii.gz takes a second or more to inflate.
 */
import { basename, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { readNifti, toCanonical } from '../io/nifti.js';
import type { MedicalImage } from '../medical-image.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { stemOf } from './image-files.js';

const volumeSchema = z.strictObject({
  image: z.string().min(1),
  label: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
});

/** Options common to niftiSlices and niftiPatches. */
export const volumeOptionsShape = {
  /** One image volume (with `label`), or `volumes` for several. */
  image: z.string().min(1).optional(),
  label: z.string().min(1).optional(),
  volumes: z.array(volumeSchema).min(1).optional(),
  /** Label values that make the mask. Default: every non-zero value. */
  labels: z.array(z.number()).min(1).optional(),
  /** Mask value i+1 for `labels[i]` instead of a binary mask. */
  multiClass: z.boolean().optional(),
  /** Reorient to RAS+ (nibabel.as_closest_canonical) so 'axial' means axial. Default true. */
  canonical: z.boolean().default(true),
  skipBad: z.boolean().optional(),
};

export type VolumeEntry = z.output<typeof volumeSchema>;

export interface VolumeOptions {
  image?: string;
  label?: string;
  volumes?: VolumeEntry[];
  labels?: number[];
  multiClass?: boolean;
  canonical: boolean;
}

export interface LoadedVolume {
  id: string;
  image: MedicalImage;
  mask?: MedicalImage<Uint8Array>;
  files: VolumeEntry;
}

/** The volume list of a spec with absolute paths, whichever form (`image`/`label` or `volumes`) it used. */
export function volumeEntries(spec: VolumeOptions, baseDir: string): VolumeEntry[] {
  if (spec.volumes && spec.image) throw new DatasetSpecError('volumes', 'give either image/label or volumes, not both');
  const list =
    spec.volumes ?? (spec.image ? [{ image: spec.image, ...(spec.label ? { label: spec.label } : {}) }] : undefined);
  if (!list)
    throw new DatasetSpecError(
      'image',
      'a NIfTI dataset needs an image volume (image, or volumes: [{ image, label }])',
    );
  if (spec.multiClass && !spec.labels)
    throw new DatasetSpecError('multiClass', 'needs a labels list (mask value i+1 for labels[i])');
  if (spec.multiClass && spec.labels!.length > 255)
    throw new DatasetSpecError('labels', 'at most 255 classes fit a uint8 mask');
  const entries = list.map((v) => ({
    image: resolve(baseDir, v.image),
    ...(v.label ? { label: resolve(baseDir, v.label) } : {}),
    id: v.id ?? stemOf(basename(v.image)),
  }));
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.id)) throw new DatasetSpecError('volumes', `two volumes have the id '${e.id}' (give each an id)`);
    seen.add(e.id);
  }
  return entries;
}

/** The spec `describe()` returns: always the `volumes` form with absolute paths. */
export function normalisedSpec<T extends VolumeOptions>(parsed: T, list: VolumeEntry[], skipBad: boolean): T {
  const out: T = { ...parsed, volumes: list, ...(skipBad ? { skipBad: true } : {}) };
  delete out.image;
  delete out.label;
  return out;
}

const cache = new Map<string, Promise<LoadedVolume>>();

/** Reads one volume pair (cached per process by files and options). */
export function loadVolume(entry: VolumeEntry, spec: VolumeOptions): Promise<LoadedVolume> {
  const key = JSON.stringify([entry, spec.labels ?? null, Boolean(spec.multiClass), spec.canonical]);
  let pending = cache.get(key);
  if (!pending) {
    pending = readPair(entry, spec);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** Forgets decoded volumes. */
export function clearVolumeCache(): void {
  cache.clear();
}

async function readPair(entry: VolumeEntry, spec: VolumeOptions): Promise<LoadedVolume> {
  const read = async (path: string) => {
    const v = await readNifti(path);
    if (v.shape.length !== 4)
      throw new MedattnDataError(path, `expected a 3D volume, got shape [${v.shape.join(', ')}]`);
    return spec.canonical ? toCanonical(v) : v;
  };
  const [image, labelVolume] = await Promise.all([read(entry.image), entry.label ? read(entry.label) : undefined]);
  if (!labelVolume) return { id: entry.id!, image, files: entry };
  checkSameGrid(image, entry.image, labelVolume, entry.label!);
  if (labelVolume.shape[0] !== 1)
    throw new MedattnDataError(entry.label!, `a label volume must have one channel, this has ${labelVolume.shape[0]}`);
  const mask: MedicalImage<Uint8Array> = {
    data: selectLabels(labelVolume.data, spec.labels, Boolean(spec.multiClass)),
    shape: labelVolume.shape.slice(),
    ...(labelVolume.spacing ? { spacing: labelVolume.spacing } : {}),
    ...(labelVolume.affine ? { affine: labelVolume.affine } : {}),
    meta: { source: entry.label, labels: spec.labels ?? 'non-zero', multiClass: Boolean(spec.multiClass) },
  };
  return { id: entry.id!, image, mask, files: entry };
}

/** Binary (1 where the value is selected) or multi-class (i+1 for labels[i]) uint8 mask of a label volume. */
export function selectLabels(values: ArrayLike<number>, labels: number[] | undefined, multiClass: boolean): Uint8Array {
  const out = new Uint8Array(values.length);
  if (!labels) {
    for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
    return out;
  }
  const code = new Map(labels.map((v, i) => [v, multiClass ? i + 1 : 1]));
  for (let i = 0; i < values.length; i++) out[i] = code.get(values[i]) ?? 0;
  return out;
}

/** Image and label must be voxel-aligned: same voxel grid and (when both have one) the same affine. */
function checkSameGrid(image: MedicalImage, imageFile: string, label: MedicalImage, labelFile: string): void {
  const a = image.shape.slice(1);
  const b = label.shape.slice(1);
  if (a.some((v, i) => v !== b[i])) {
    throw new MedattnDataError(
      imageFile,
      `volume grid ${a.join('x')} differs from its label volume ${labelFile} (${b.join('x')})`,
    );
  }
  if (image.affine && label.affine) {
    const off = image.affine.some((row, r) =>
      row.some((v, c) => Math.abs(v - label.affine![r][c]) > 1e-3 * Math.max(1, Math.abs(v))),
    );
    if (off)
      throw new MedattnDataError(
        imageFile,
        `affine differs from its label volume ${labelFile}: the volumes are not on the same grid`,
      );
  }
}

/** Number of foreground voxels of a [1, D, H, W] mask inside the box [start, start + size). */
export function countForeground(
  mask: MedicalImage<Uint8Array>,
  start: readonly number[],
  size: readonly number[],
): number {
  const [, , H, W] = mask.shape;
  let n = 0;
  for (let d = start[0]; d < start[0] + size[0]; d++) {
    for (let h = start[1]; h < start[1] + size[1]; h++) {
      const row = (d * H + h) * W;
      for (let w = start[2]; w < start[2] + size[2]; w++) if (mask.data[row + w] !== 0) n++;
    }
  }
  return n;
}
