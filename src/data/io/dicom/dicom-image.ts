/**
 * A DICOM file → MedicalImage: stored values (see pixel-data.ts) turned into modality values
 * (MONOCHROME1 inverted so that higher is brighter, Rescale Slope/Intercept applied), with geometry.
 * Single-frame files are [C, H, W]; multi-frame files are [C, F, H, W].
 * No Node.js modules (the browser page bundles it); read-dicom.ts reads files.
 */
import type { MedicalImage, PixelArray } from '../../medical-image.js';
import { DicomAttributes, type DicomFile } from './dicom-bytes.js';
import { decodePixelData, type DecodedPixels } from './pixel-data.js';
import { describeTransferSyntax } from './transfer-syntax.js';

export interface ReadDicomOptions {
  /** Keep the stored values: no MONOCHROME1 inversion, no rescale. Default false. */
  raw?: boolean;
  /** Only these frames (0-based). Default: all. */
  frames?: number[];
}

export async function dicomToImage(file: DicomFile, options: ReadDicomOptions = {}): Promise<MedicalImage> {
  const decoded = await decodePixelData(file, { frames: options.frames });
  const attrs = new DicomAttributes(file);
  const [c, f, h, w] = decoded.shape;
  let data: PixelArray = decoded.data;
  let photometric = decoded.photometric;
  const slope = attrs.number('x00281053') ?? 1;
  const intercept = attrs.number('x00281052') ?? 0;
  if (!options.raw) {
    if (photometric === 'MONOCHROME1') {
      data = invertMonochrome1(decoded);
      photometric = 'MONOCHROME2';
    }
    if (slope !== 1 || intercept !== 0) data = rescale(data, slope, intercept);
  }
  const pixelSpacing = attrs.numbers('x00280030') ?? attrs.numbers('x00181164');
  const inPlane = pixelSpacing && pixelSpacing.length >= 2 ? [pixelSpacing[0], pixelSpacing[1]] : undefined;
  const sliceSpacing = attrs.number('x00180088') ?? attrs.number('x00180050');
  const multiFrame = f > 1 || decoded.module.numberOfFrames > 1;
  const spacing = inPlane ? (multiFrame ? [sliceSpacing ?? 1, ...inPlane] : inPlane) : undefined;
  const affine = multiFrame ? undefined : sliceAffine(attrs, inPlane, sliceSpacing ?? 1);
  return {
    data,
    shape: multiFrame ? [c, f, h, w] : [c, h, w],
    ...(spacing ? { spacing } : {}),
    ...(affine ? { affine } : {}),
    meta: {
      format: 'dicom',
      modality: attrs.string('x00080060'),
      transferSyntax: describeTransferSyntax(file.transferSyntax),
      transferSyntaxUID: file.transferSyntax.uid,
      photometricInterpretation: photometric,
      storedPhotometricInterpretation: decoded.module.photometricInterpretation,
      bitsStored: decoded.module.bitsStored,
      pixelRepresentation: decoded.module.pixelRepresentation,
      rescaleSlope: slope,
      rescaleIntercept: intercept,
      rescaled: !options.raw && (slope !== 1 || intercept !== 0),
      numberOfFrames: decoded.module.numberOfFrames,
      windowCenter: attrs.numbers('x00281050')?.[0],
      windowWidth: attrs.numbers('x00281051')?.[0],
      imagePositionPatient: attrs.numbers('x00200032'),
      imageOrientationPatient: attrs.numbers('x00200037'),
      sopClassUID: attrs.string('x00080016'),
      seriesInstanceUID: attrs.string('x0020000e'),
      instanceNumber: attrs.number('x00200013'),
      seriesDescription: attrs.string('x0008103e')?.trim(),
      sliceThickness: attrs.number('x00180050'),
      gantryTilt: attrs.number('x00181120'),
    },
  };
}

/** MONOCHROME1: the minimum stored value is white. Mirror the stored range so higher means brighter. */
function invertMonochrome1(d: DecodedPixels): PixelArray {
  const bits = d.module.bitsStored;
  const signed = d.module.pixelRepresentation === 1;
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const out = d.data.slice();
  for (let i = 0; i < out.length; i++) out[i] = hi + lo - out[i];
  return out;
}

function rescale(data: PixelArray, slope: number, intercept: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + intercept;
  return out;
}

/**
 * Voxel (column, row, slice) → RAS+ mm for one slice, from Image Position/Orientation (Patient) which are
 * in DICOM's LPS+ frame (hence the sign flip of the first two rows).
 */
export function sliceAffine(
  attrs: DicomAttributes,
  inPlane: number[] | undefined,
  sliceSpacing: number,
): number[][] | undefined {
  const ipp = attrs.numbers('x00200032');
  const iop = attrs.numbers('x00200037');
  if (!ipp || ipp.length !== 3 || !iop || iop.length !== 6 || !inPlane) return undefined;
  return affineFromGeometry(ipp, iop, inPlane[0], inPlane[1], sliceSpacing);
}

export function affineFromGeometry(
  ipp: number[],
  iop: number[],
  rowSpacing: number,
  colSpacing: number,
  sliceSpacing: number,
): number[][] {
  const rowDir = iop.slice(0, 3); // direction of increasing column index
  const colDir = iop.slice(3, 6); // direction of increasing row index
  const normal = [
    rowDir[1] * colDir[2] - rowDir[2] * colDir[1],
    rowDir[2] * colDir[0] - rowDir[0] * colDir[2],
    rowDir[0] * colDir[1] - rowDir[1] * colDir[0],
  ];
  const lpsToRas = [-1, -1, 1];
  return [0, 1, 2]
    .map((r) =>
      [rowDir[r] * colSpacing, colDir[r] * rowSpacing, normal[r] * sliceSpacing, ipp[r]].map(
        (v) => v * lpsToRas[r] + 0,
      ),
    )
    .concat([[0, 0, 0, 1]]);
}
