/**
 * A folder of single-frame DICOM slices → one [1, D, H, W] volume, slices sorted by their position along
 * the slice normal (Image Position Patient · normal), slice spacing measured from those positions.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MedattnDataError } from '../errors.js';
import type { MedicalImage, PixelArray } from '../../medical-image.js';
import { readDicomFile } from './dicom-file.js';
import { dicomToImage, affineFromGeometry } from './read-dicom.js';

export interface ReadSeriesOptions {
  /** Series Instance UID to pick when the folder holds several series. Default: the one with most slices. */
  seriesInstanceUID?: string;
}

export async function readDicomSeries(folder: string, options: ReadSeriesOptions = {}): Promise<MedicalImage> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (e) {
    throw new MedattnDataError(folder, `cannot list folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const slices: Array<{ path: string; image: MedicalImage }> = [];
  for (const name of names) {
    const path = join(folder, name);
    if (!(await stat(path)).isFile() || name === 'DICOMDIR') continue;
    let file;
    try {
      file = await readDicomFile(path);
    } catch {
      continue; // not DICOM: other files may live beside a series
    }
    if (!file.dataSet.elements.x7fe00010) continue;
    slices.push({ path, image: await dicomToImage(file) });
  }
  const bySeries = new Map<string, typeof slices>();
  for (const s of slices) {
    const uid = String(s.image.meta?.seriesInstanceUID ?? '');
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), s]);
  }
  const chosen = options.seriesInstanceUID
    ? bySeries.get(options.seriesInstanceUID)
    : [...bySeries.values()].sort((a, b) => b.length - a.length)[0];
  if (!chosen || chosen.length === 0)
    throw new MedattnDataError(
      folder,
      options.seriesInstanceUID ? `no slices of series ${options.seriesInstanceUID}` : 'no DICOM images in the folder',
    );
  const first = chosen[0].image;
  const iop = first.meta?.imageOrientationPatient as number[] | undefined;
  for (const s of chosen) {
    if (s.image.shape.length !== 3 || s.image.shape.join() !== first.shape.join()) {
      throw new MedattnDataError(
        s.path,
        `slice shape [${s.image.shape.join(', ')}] differs from [${first.shape.join(', ')}] (or is multi-frame)`,
      );
    }
    if (!s.image.meta?.imagePositionPatient || !s.image.meta?.imageOrientationPatient) {
      throw new MedattnDataError(s.path, 'no Image Position/Orientation (Patient): cannot place the slice in a volume');
    }
  }
  const normal = cross(iop!.slice(0, 3), iop!.slice(3, 6));
  const position = (img: MedicalImage) => dot(img.meta!.imagePositionPatient as number[], normal);
  chosen.sort((a, b) => position(a.image) - position(b.image));
  const positions = chosen.map((s) => position(s.image));
  const gaps = positions.slice(1).map((p, i) => p - positions[i]);
  if (gaps.some((g) => Math.abs(g) < 1e-6)) throw new MedattnDataError(folder, 'two slices share the same position');
  const sliceSpacing = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number(first.spacing?.[0] ?? 1);
  const [C, H, W] = first.shape;
  const D = chosen.length;
  // Float32 when any slice was rescaled differently; otherwise keep the common type.
  const ctor = chosen.every((s) => s.image.data.constructor === first.data.constructor)
    ? first.data.constructor
    : Float32Array;
  const data = new (ctor as new (n: number) => PixelArray)(C * D * H * W);
  chosen.forEach((s, d) => {
    for (let c = 0; c < C; c++)
      data.set(s.image.data.subarray(c * H * W, (c + 1) * H * W) as never, (c * D + d) * H * W);
  });
  const inPlane = first.spacing ?? [1, 1];
  const ipp = chosen[0].image.meta!.imagePositionPatient as number[];
  return {
    data,
    shape: [C, D, H, W],
    spacing: [sliceSpacing, inPlane[0], inPlane[1]],
    affine: affineFromGeometry(ipp, iop!, inPlane[0], inPlane[1], sliceSpacing),
    meta: { ...first.meta, slices: D, sliceFiles: chosen.map((s) => s.path), sliceGaps: gaps },
  };
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: number[], b: number[]): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
