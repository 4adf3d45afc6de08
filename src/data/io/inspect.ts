/**
 * `medattn inspect FILE`: what a medical image file holds (format, size, spacing, value range, DICOM
 * modality and transfer syntax) without patient identifiers unless asked for (`phi: true`).
 */
import { MedattnDataError } from './errors.js';
import { detectFormat, readImage, type FileFormat } from './read-image.js';
import { readNpz } from './npz.js';
import { readDicomFile, DicomAttributes } from './dicom/dicom-file.js';
import type { MedicalImage } from '../medical-image.js';
import { listDicomSeries, readDicomSeries, type SeriesSummary } from './dicom/series.js';

export interface Inspection {
  file: string;
  format: FileFormat;
  /** Channels-first shape as our readers return it. */
  dimensions: number[];
  spacing?: number[];
  dtype: string;
  min: number;
  max: number;
  mean: number;
  modality?: string;
  transferSyntax?: string;
  photometricInterpretation?: string;
  frames?: number;
  /** npz only: every array's shape and dtype. */
  arrays?: Record<string, { shape: number[]; dtype: string }>;
  /** Only with `phi: true`. */
  patient?: Record<string, string>;
  /** DICOM series (a folder): slices read, orientation cosines, measured tilt, and warnings. */
  slices?: number;
  orientation?: number[];
  gantryTiltDegrees?: number;
  warnings?: string[];
  /** Every series in the folder when it holds more than one (the one shown is `seriesInstanceUID`). */
  series?: SeriesSummary[];
  seriesInstanceUID?: string;
}

/** DICOM attributes that identify a patient (PS3.15 Basic Profile subset); shown only with phi. */
const PHI_TAGS: Record<string, string> = {
  x00100010: 'PatientName',
  x00100020: 'PatientID',
  x00100030: 'PatientBirthDate',
  x00100040: 'PatientSex',
  x00101010: 'PatientAge',
  x00101000: 'OtherPatientIDs',
  x00101040: 'PatientAddress',
  x00080050: 'AccessionNumber',
  x00080080: 'InstitutionName',
  x00080090: 'ReferringPhysicianName',
  x00080020: 'StudyDate',
  x00200010: 'StudyID',
};

export async function inspectFile(path: string, options: { phi?: boolean; series?: string } = {}): Promise<Inspection> {
  const format = await detectFormat(path);
  if (format === 'npz') {
    const arrays = await readNpz(path);
    const out: Inspection = {
      file: path,
      format,
      dimensions: [],
      dtype: 'mixed',
      min: NaN,
      max: NaN,
      mean: NaN,
      arrays: {},
    };
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    for (const [name, a] of arrays) {
      out.arrays![name] = { shape: a.shape, dtype: a.dtype };
      for (let i = 0; i < a.data.length; i++) {
        const v = a.data[i];
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      n += a.data.length;
    }
    return { ...out, min, max, mean: n ? sum / n : NaN };
  }
  const image =
    format === 'dicom-series'
      ? await readDicomSeries(path, { seriesInstanceUID: options.series })
      : await readImage(path);
  const stats = valueStats(image, path);
  const meta = image.meta ?? {};
  const result: Inspection = {
    file: path,
    format,
    dimensions: image.shape,
    ...(image.spacing ? { spacing: image.spacing } : {}),
    dtype: dtypeName(image.data),
    ...stats,
  };
  if (format === 'dicom' || format === 'dicom-series') {
    if (meta.modality) result.modality = String(meta.modality);
    if (meta.transferSyntax) result.transferSyntax = String(meta.transferSyntax);
    if (meta.photometricInterpretation) result.photometricInterpretation = String(meta.photometricInterpretation);
    if (typeof meta.numberOfFrames === 'number') result.frames = meta.numberOfFrames;
    if (format === 'dicom-series') {
      result.slices = meta.slices as number;
      result.orientation = meta.orientation as number[];
      result.gantryTiltDegrees = Number((meta.gantryTiltDegrees as number).toFixed(3));
      result.warnings = meta.warnings as string[];
      result.seriesInstanceUID = String(meta.seriesInstanceUID ?? '');
      if ((meta.seriesInFolder as number) > 1) result.series = await listDicomSeries(path);
    }
    if (options.phi) {
      const first = format === 'dicom' ? path : (meta.sliceFiles as string[])[0];
      const attrs = new DicomAttributes(await readDicomFile(first));
      result.patient = {};
      for (const [tag, name] of Object.entries(PHI_TAGS)) {
        const v = attrs.string(tag);
        if (v !== undefined) result.patient[name] = v.trim();
      }
    }
  } else if (typeof meta.datatype === 'string') {
    result.dtype = `${result.dtype} (stored ${meta.datatype})`;
  }
  return result;
}

function dtypeName(data: MedicalImage['data']): string {
  return data.constructor.name.replace('Array', '').toLowerCase();
}

function valueStats(image: MedicalImage, path: string): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < image.data.length; i++) {
    const v = image.data[i];
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  if (n === 0)
    throw new MedattnDataError(
      path,
      `no values to show (shape ${image.shape.join(' x ')}${image.data.length ? ', all NaN' : ''})`,
    );
  return { min, max, mean: sum / n };
}

/** Human-readable, one fact per line. */
export function formatInspection(r: Inspection): string {
  const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));
  const lines: Array<[string, string | undefined]> = [
    ['file', r.file],
    ['format', r.format],
    ['dimensions', r.dimensions.length ? r.dimensions.join(' x ') : undefined],
    ['spacing', r.spacing?.map((s) => num(s)).join(' x ') + (r.spacing ? ' mm' : '')],
    ['dtype', r.dtype],
    ['range', Number.isNaN(r.min) ? undefined : `${num(r.min)} .. ${num(r.max)} (mean ${num(r.mean)})`],
    ['modality', r.modality],
    ['transfer syntax', r.transferSyntax],
    ['photometric', r.photometricInterpretation],
    ['frames', r.frames === undefined ? undefined : String(r.frames)],
    ['slices', r.slices === undefined ? undefined : String(r.slices)],
    ['orientation', r.orientation?.map((v) => num(v)).join(' ')],
    ['gantry tilt', r.gantryTiltDegrees === undefined ? undefined : `${num(r.gantryTiltDegrees)} degrees`],
    ['series', r.series ? r.seriesInstanceUID : undefined],
  ];
  for (const s of r.series ?? [])
    lines.push([
      `  series ${s.seriesInstanceUID}`,
      `${s.slices} slices ${s.modality ?? ''} ${s.description ?? ''}`.trim(),
    ]);
  for (const [name, a] of Object.entries(r.arrays ?? {}))
    lines.push([`array ${name}`, `(${a.shape.join(', ')}) ${a.dtype}`]);
  for (const [name, v] of Object.entries(r.patient ?? {})) lines.push([name, v]);
  const width = Math.max(
    ...lines.filter(([, v]) => v !== undefined && !v.startsWith('undefined')).map(([k]) => k.length),
  );
  return lines
    .filter(([, v]) => v !== undefined && !v.startsWith('undefined'))
    .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
    .join('\n');
}
