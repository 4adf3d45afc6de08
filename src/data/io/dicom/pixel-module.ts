/**
 * The Image Pixel module attributes (PS3.3 C.7.6.3) that say how to interpret Pixel Data, read once and
 * validated so that decoders can trust them.
 */
import { MedattnDataError } from '../errors.js';
import { DicomAttributes } from './dicom-bytes.js';

export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometricInterpretation: string;
  /** 0: samples interleaved per pixel (RGBRGB...), 1: one plane per sample (RRR...GGG...BBB...). */
  planarConfiguration: number;
  numberOfFrames: number;
}

export function readPixelModule(attrs: DicomAttributes): PixelModule {
  const path = attrs.file.path;
  if (!attrs.has('x7fe00010')) {
    // dicom-parser drops an element it cannot finish: if the tag is in the bytes, the element was cut short.
    const b = Buffer.from(attrs.file.bytes.buffer, attrs.file.bytes.byteOffset, attrs.file.bytes.byteLength);
    if (
      b.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00])) >= 0 ||
      b.indexOf(Buffer.from([0x7f, 0xe0, 0x00, 0x10])) >= 0
    ) {
      throw new MedattnDataError(
        path,
        'Pixel Data (7FE0,0010) is truncated or corrupted (the element could not be read to its end)',
      );
    }
    const what =
      attrs.has('x7fe00008') || attrs.has('x7fe00009')
        ? 'float Pixel Data (not supported)'
        : 'no Pixel Data (7FE0,0010)';
    throw new MedattnDataError(path, `${what}; this DICOM object holds no image`);
  }
  const required = (tag: string, name: string): number => {
    const v = attrs.number(tag);
    if (v === undefined || !Number.isInteger(v))
      throw new MedattnDataError(path, `missing or invalid ${name} (${tag.slice(1, 5)},${tag.slice(5)})`);
    return v;
  };
  const rows = required('x00280010', 'Rows');
  const columns = required('x00280011', 'Columns');
  const bitsAllocated = required('x00280100', 'Bits Allocated');
  const samplesPerPixel = attrs.number('x00280002') ?? 1;
  const bitsStored = attrs.number('x00280101') ?? bitsAllocated;
  const highBit = attrs.number('x00280102') ?? bitsStored - 1;
  const pixelRepresentation = attrs.number('x00280103') ?? 0;
  const photometricInterpretation = (attrs.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2'))
    .trim()
    .toUpperCase();
  const planarConfiguration = attrs.number('x00280006') ?? 0;
  const framesValue = attrs.number('x00280008');
  if (framesValue === undefined && attrs.string('x00280008') !== undefined) {
    throw new MedattnDataError(path, `invalid Number of Frames (0028,0008) '${attrs.string('x00280008')}'`);
  }
  const numberOfFrames = framesValue ?? 1;
  const bad = (reason: string): never => {
    throw new MedattnDataError(path, reason);
  };
  if (rows < 1 || columns < 1) bad(`invalid image size ${rows}x${columns}`);
  if (![1, 8, 16, 32].includes(bitsAllocated)) bad(`Bits Allocated ${bitsAllocated} is not supported (1, 8, 16 or 32)`);
  if (bitsStored < 1 || bitsStored > bitsAllocated)
    bad(`Bits Stored ${bitsStored} does not fit Bits Allocated ${bitsAllocated}`);
  if (![1, 3].includes(samplesPerPixel)) bad(`Samples per Pixel ${samplesPerPixel} is not supported (1 or 3)`);
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1)
    bad(`invalid Pixel Representation ${pixelRepresentation}`);
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1) bad(`invalid Number of Frames ${numberOfFrames}`);
  if (photometricInterpretation === 'PALETTE COLOR') bad('PALETTE COLOR images are not supported');
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometricInterpretation,
    planarConfiguration,
    numberOfFrames,
  };
}
