/**
 * A folder of single-frame DICOM slices → one [C, D, H, W] volume. The folder is searched recursively
 * (so DICOMDIR layouts, where the images sit in sub-folders, work), slices are grouped by Series Instance
 * UID and sorted by their position along the slice normal (Image Position Patient · normal).
 *
 * Geometry follows dcm2niix:
 * - the slice step is measured from the positions, never averaged over unequal gaps: when the gaps differ
 *   (a CT series switching from 4 mm to 7 mm slices) the slices are linearly resampled along the measured
 *   positions to a uniform grid at the smallest gap (dcm2niix's "_Eq" volume), with one warning line;
 * - a gantry-tilted series (slices shifted along the column direction from one to the next) keeps its
 *   true geometry: the affine's third column is the measured step between slice origins, so it is sheared,
 *   and the tilt angle is reported.
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

/** One series found in a folder, as `inspect` lists them. */
export interface SeriesSummary {
  seriesInstanceUID: string;
  slices: number;
  modality?: string;
  description?: string;
  folder: string;
}

/** Relative tolerance on slice gaps before a series counts as non-uniform (dcm2niix is of the same order). */
const GAP_TOLERANCE = 0.01;
const MAX_DEPTH = 8;

interface Slice {
  path: string;
  image: MedicalImage;
}

async function collectFiles(folder: string, depth: number, out: string[]): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (e) {
    throw new MedattnDataError(folder, `cannot list folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  for (const name of names) {
    const path = join(folder, name);
    const info = await stat(path);
    if (info.isDirectory()) {
      if (depth < MAX_DEPTH) await collectFiles(path, depth + 1, out);
    } else if (info.isFile() && name.toUpperCase() !== 'DICOMDIR') out.push(path);
  }
}

async function readSlices(folder: string): Promise<Map<string, Slice[]>> {
  const files: string[] = [];
  await collectFiles(folder, 0, files);
  const bySeries = new Map<string, Slice[]>();
  for (const path of files) {
    let file;
    try {
      file = await readDicomFile(path);
    } catch {
      continue; // not DICOM: other files may live beside a series
    }
    if (!file.dataSet.elements.x7fe00010) continue;
    const image = await dicomToImage(file);
    const uid = String(image.meta?.seriesInstanceUID ?? '');
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), { path, image }]);
  }
  return bySeries;
}

/** Every image series under `folder`, most slices first. */
export async function listDicomSeries(folder: string): Promise<SeriesSummary[]> {
  const bySeries = await readSlices(folder);
  return [...bySeries.entries()]
    .map(([uid, slices]) => ({
      seriesInstanceUID: uid,
      slices: slices.length,
      ...(slices[0].image.meta?.modality ? { modality: String(slices[0].image.meta.modality) } : {}),
      ...(slices[0].image.meta?.seriesDescription
        ? { description: String(slices[0].image.meta.seriesDescription) }
        : {}),
      folder,
    }))
    .sort((a, b) => b.slices - a.slices);
}

export async function readDicomSeries(folder: string, options: ReadSeriesOptions = {}): Promise<MedicalImage> {
  const bySeries = await readSlices(folder);
  const chosen = options.seriesInstanceUID
    ? bySeries.get(options.seriesInstanceUID)
    : [...bySeries.values()].sort((a, b) => b.length - a.length)[0];
  if (!chosen || chosen.length === 0)
    throw new MedattnDataError(
      folder,
      options.seriesInstanceUID
        ? `no slices of series ${options.seriesInstanceUID} (found: ${[...bySeries.keys()].join(', ') || 'none'})`
        : 'no DICOM images in the folder',
    );
  const volume = stackSeries(folder, chosen);
  volume.meta = { ...volume.meta, seriesInFolder: bySeries.size };
  return volume;
}

/** Stacks the slices of one series (exported for tests that build slices in memory). */
export function stackSeries(folder: string, chosen: Slice[]): MedicalImage {
  const first = chosen[0].image;
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
  if (!first.spacing)
    throw new MedattnDataError(chosen[0].path, 'spacing is missing: no Pixel Spacing (0028,0030) in the slice');
  const iop = first.meta!.imageOrientationPatient as number[];
  const normal = cross(iop.slice(0, 3), iop.slice(3, 6));
  const ippOf = (s: Slice) => s.image.meta!.imagePositionPatient as number[];
  const position = (s: Slice) => dot(ippOf(s), normal);
  chosen.sort((a, b) => position(a) - position(b));
  const positions = chosen.map(position);
  const gaps = positions.slice(1).map((p, i) => p - positions[i]);
  if (gaps.some((g) => Math.abs(g) < 1e-6)) throw new MedattnDataError(folder, 'two slices share the same position');

  const [C, H, W] = first.shape;
  const D = chosen.length;
  const inPlane = first.spacing;
  const ipp0 = ippOf(chosen[0]);
  // Step between slice origins in patient space, per unit of distance along the normal: equals the normal
  // for an untilted series, leans along the column direction for a gantry-tilted one.
  const span = D > 1 ? positions[D - 1] - positions[0] : 1;
  const stepPerMm = D > 1 ? sub(ippOf(chosen[D - 1]), ipp0).map((v) => v / span) : normal;
  const tiltDegrees = (Math.acos(Math.min(1, 1 / Math.hypot(...stepPerMm))) * 180) / Math.PI;

  const minGap = gaps.length ? Math.min(...gaps) : Number(first.meta?.sliceThickness ?? 1) || 1;
  const maxGap = gaps.length ? Math.max(...gaps) : minGap;
  const uniform = maxGap - minGap <= GAP_TOLERANCE * minGap;
  const sliceSpacing = uniform ? (gaps.length ? span / gaps.length : minGap) : minGap;
  const warnings: string[] = [];
  let data: PixelArray;
  let depth = D;
  const sliceData = (s: Slice, c: number) => s.image.data.subarray(c * H * W, (c + 1) * H * W);
  if (uniform) {
    // Float32 when any slice was rescaled differently; otherwise keep the common type.
    const ctor = chosen.every((s) => s.image.data.constructor === first.data.constructor)
      ? first.data.constructor
      : Float32Array;
    data = new (ctor as new (n: number) => PixelArray)(C * D * H * W);
    chosen.forEach((s, d) => {
      for (let c = 0; c < C; c++) data.set(sliceData(s, c) as never, (c * D + d) * H * W);
    });
  } else {
    depth = Math.floor(span / sliceSpacing + 1e-6) + 1;
    const out = new Float32Array(C * depth * H * W);
    let j = 0;
    for (let d = 0; d < depth; d++) {
      const p = positions[0] + d * sliceSpacing;
      while (j < D - 2 && positions[j + 1] < p) j++;
      const t = Math.min(1, Math.max(0, (p - positions[j]) / (positions[j + 1] - positions[j])));
      for (let c = 0; c < C; c++) {
        const a = sliceData(chosen[j], c);
        const b = sliceData(chosen[j + 1], c);
        const o = (c * depth + d) * H * W;
        for (let i = 0; i < H * W; i++) out[o + i] = a[i] + t * (b[i] - a[i]);
      }
    }
    data = out;
    warnings.push(
      `${folder}: slice spacing varies from ${fmt(minGap)} to ${fmt(maxGap)} mm; resampled ${D} slices to ` +
        `${depth} at a uniform ${fmt(sliceSpacing)} mm along their measured positions`,
    );
  }
  if (tiltDegrees > 0.01)
    warnings.push(`${folder}: gantry tilt ${fmt(tiltDegrees)} degrees; the affine is sheared to keep slice positions`);
  const affine = affineFromGeometry(ipp0, iop, inPlane[0], inPlane[1], sliceSpacing);
  // Third column: the true step between slice origins (LPS → RAS flips x and y).
  const lpsToRas = [-1, -1, 1];
  for (let r = 0; r < 3; r++) affine[r][2] = stepPerMm[r] * sliceSpacing * lpsToRas[r] + 0;
  return {
    data,
    shape: [C, depth, H, W],
    spacing: [sliceSpacing, inPlane[0], inPlane[1]],
    affine,
    meta: {
      ...first.meta,
      slices: D,
      sliceFiles: chosen.map((s) => s.path),
      sliceGaps: gaps,
      orientation: iop,
      gantryTiltDegrees: tiltDegrees,
      ...(first.meta?.gantryTilt !== undefined ? { gantryTiltTag: first.meta.gantryTilt } : {}),
      uniformSpacing: uniform,
      warnings,
    },
  };
}

function fmt(v: number): string {
  return String(Number(v.toFixed(3)));
}

function sub(a: number[], b: number[]): number[] {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: number[], b: number[]): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
