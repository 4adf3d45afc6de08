/**
 * Pixel Data → stored values: splits the frames out of native or encapsulated pixel data, runs the right
 * decoder, then normalises everything to channels-first [C, F, H, W] with bits above Bits Stored masked off,
 * signed values sign-extended (Pixel Representation 1) and YBR colour converted to RGB.
 * No modality LUT here: these are the values pydicom's `pixel_array` gives (in RGB), checked by the tests.
 *
 * Nothing is allocated from what the header declares before it is checked: native pixel data must hold
 * Rows x Columns x Samples x Bits Allocated x Number of Frames in the bytes actually present; encapsulated
 * pixel data needs a fragment per frame, a codestream whose own header agrees with the DICOM header, and a
 * decoded size within MAX_DECODED_BYTES (1 GiB, or MEDATTN_MAX_DECODED_MB), because a compressed frame can
 * legitimately claim far more than its bytes.
 */
import type dicomParser from 'dicom-parser';
import { MedattnDataError, describeThrown } from '../errors.js';
import { DicomAttributes, type DicomFile } from './dicom-bytes.js';
import { readPixelModule, type PixelModule } from './pixel-module.js';
import { describeTransferSyntax } from './transfer-syntax.js';
import { decodeRleFrame } from './rle.js';
import { readEncapsulated, type Fragment } from './encapsulated-fragments.js';
import { decodeWithWasm } from './wasm-codecs.js';
import { decodeJpegLossless } from './jpeg-lossless.js';
import { decodeJpegDct, jpegSamplePrecision } from './jpeg-dct.js';
import { ybrFullToRgb, expandYbr422 } from './color.js';
import { markStreamAsRgb } from './jpeg-color-transform.js';
import { codestreamSize } from './codestream-size.js';

/** Default ceiling on the decoded size of compressed pixel data (bytes of stored values). */
export const MAX_DECODED_BYTES = 2 ** 30;

function maxDecodedBytes(): number {
  const mb = Number(process.env.MEDATTN_MAX_DECODED_MB);
  return Number.isFinite(mb) && mb > 0 ? mb * 2 ** 20 : MAX_DECODED_BYTES;
}

export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface DecodedPixels {
  module: PixelModule;
  /** Channels-first [C, F, H, W] stored values. */
  data: StoredArray;
  shape: [number, number, number, number];
  /** Photometric interpretation of `data` (YBR_* became RGB). */
  photometric: string;
}

/** One decoded frame before normalisation: planar samples [C][H*W] in a container of the codec's choosing. */
interface PlanarFrame {
  values: ArrayLike<number>;
  /** True when the decoder already turned YCbCr into RGB (libjpeg does, OpenJPEG does for RCT/ICT). */
  colorConverted: boolean;
}

export async function decodePixelData(file: DicomFile, options: { frames?: number[] } = {}): Promise<DecodedPixels> {
  const attrs = new DicomAttributes(file);
  const module = readPixelModule(attrs);
  const ts = file.transferSyntax;
  const fail = (reason: string): never => {
    throw new MedattnDataError(file.path, reason);
  };
  if (ts.encoding === 'unsupported')
    fail(`unsupported transfer syntax ${describeTransferSyntax(ts)}: ${ts.whyUnsupported}`);
  const element = file.dataSet.elements.x7fe00010;
  const { rows, columns, samplesPerPixel: spp } = module;
  const pixels = rows * columns;
  const encapsulated = ts.encoding !== 'native' && ts.encoding !== 'native-big-endian';
  // Sizes first: what the header declares must fit the bytes present (native) or the fragments (encapsulated).
  const layout = encapsulated ? undefined : nativeLayout(file, module, element);
  const fragmentsOfFrame = encapsulated ? splitFrames(file, element, module.numberOfFrames) : undefined;
  for (const f of options.frames ?? []) {
    if (!Number.isInteger(f) || f < 0 || f >= module.numberOfFrames)
      fail(`frame ${f} does not exist (${module.numberOfFrames} frames)`);
  }
  const frameIndices = options.frames ?? Array.from({ length: module.numberOfFrames }, (_, i) => i);
  const decodedBytes = spp * frameIndices.length * pixels * storedBytes(module);
  if (encapsulated && decodedBytes > maxDecodedBytes()) {
    fail(
      `Rows x Columns x Samples per Pixel x Number of Frames (${rows} x ${columns} x ${spp} x ${frameIndices.length}) ` +
        `would decode to ${mib(decodedBytes)} MiB, over the ${mib(maxDecodedBytes())} MiB limit for compressed pixel data ` +
        '(MEDATTN_MAX_DECODED_MB raises it)',
    );
  }
  const out = makeStoredArray(module, spp * frameIndices.length * pixels);
  let photometric = module.photometricInterpretation;
  for (let k = 0; k < frameIndices.length; k++) {
    const f = frameIndices[k];
    let frame: PlanarFrame;
    try {
      frame = encapsulated
        ? await decodeCompressedFrame(file, module, fragmentsOfFrame![f], f)
        : { values: nativeFrame(file, module, element, f, layout!), colorConverted: false };
    } catch (e) {
      if (e instanceof MedattnDataError) throw e;
      throw new MedattnDataError(
        file.path,
        `cannot decode frame ${f} (${describeTransferSyntax(ts)}): ${describeThrown(e)}`,
        { cause: e },
      );
    }
    const isYbr = photometric.startsWith('YBR_FULL') && spp === 3;
    if (frame.values.length < spp * pixels)
      fail(`frame ${f} decoded to ${frame.values.length} samples, expected ${spp * pixels}`);
    let values = frame.values;
    if (isYbr && !frame.colorConverted) values = ybrFullToRgb(values, pixels, module.bitsStored);
    storeFrame(out, values, module, k, frameIndices.length);
  }
  if (spp === 3 && (photometric.startsWith('YBR_FULL') || photometric === 'YBR_RCT' || photometric === 'YBR_ICT'))
    photometric = 'RGB';
  return { module, data: out, shape: [spp, frameIndices.length, rows, columns], photometric };
}

/** Bytes per value of the array decodePixelData returns (1-bit data is unpacked to one byte per value). */
function storedBytes(m: PixelModule): number {
  return m.bitsAllocated <= 8 ? 1 : m.bitsAllocated === 16 ? 2 : 4;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0);
}

function makeStoredArray(m: PixelModule, n: number): StoredArray {
  const signed = m.pixelRepresentation === 1;
  if (m.bitsAllocated <= 8) return signed ? new Int8Array(n) : new Uint8Array(n);
  if (m.bitsAllocated === 16) return signed ? new Int16Array(n) : new Uint16Array(n);
  return signed ? new Int32Array(n) : new Uint32Array(n);
}

/** Copies one planar frame into [C, F, H, W], masking to Bits Stored and sign-extending. */
function storeFrame(out: StoredArray, values: ArrayLike<number>, m: PixelModule, k: number, frameCount: number): void {
  const pixels = m.rows * m.columns;
  const bits = m.bitsStored;
  const signed = m.pixelRepresentation === 1;
  // Work in 2^bits arithmetic so it is correct for 32-bit values too (no 32-bit bitwise overflow).
  const modulus = 2 ** bits;
  const half = 2 ** (bits - 1);
  for (let c = 0; c < m.samplesPerPixel; c++) {
    const dst = (c * frameCount + k) * pixels;
    const src = c * pixels;
    for (let i = 0; i < pixels; i++) {
      let v = values[src + i];
      v = ((v % modulus) + modulus) % modulus;
      if (signed && v >= half) v -= modulus;
      out[dst + i] = v;
    }
  }
}

interface NativeLayout {
  /** Bytes of one frame in the file (for 1-bit data: bits, frames are packed back to back). */
  frameBytes: number;
  /** YBR_FULL_422 stored subsampled (Y1 Y2 Cb Cr per pixel pair). */
  subsampled: boolean;
}

/**
 * How native frames sit in the Pixel Data element, checked against the bytes present: Rows x Columns x
 * Samples per Pixel x Bits Allocated x Number of Frames must fit, whatever the header says.
 */
function nativeLayout(file: DicomFile, m: PixelModule, element: dicomParser.Element): NativeLayout {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated, numberOfFrames } = m;
  const pixels = rows * columns;
  const available = Math.max(0, Math.min(element.length, file.dataSet.byteArray.length - element.dataOffset));
  if (bitsAllocated === 1) {
    const bitsPerFrame = pixels * spp;
    const needed = Math.ceil((bitsPerFrame * numberOfFrames) / 8);
    if (available < needed) throw truncated(file, m, available, needed);
    return { frameBytes: bitsPerFrame, subsampled: false };
  }
  const full = pixels * spp * (bitsAllocated / 8);
  // YBR_FULL_422 may be stored subsampled: 2 bytes per pixel instead of 3.
  const ybr422 = m.photometricInterpretation === 'YBR_FULL_422' && spp === 3 && bitsAllocated === 8;
  const subsampled = ybr422 && element.length >= pixels * 2 * numberOfFrames && element.length < full * numberOfFrames;
  const frameBytes = subsampled ? pixels * 2 : full;
  if (available < frameBytes * numberOfFrames) throw truncated(file, m, available, frameBytes * numberOfFrames);
  return { frameBytes, subsampled };
}

/** Native (uncompressed) frame f as planar samples; `layout` was checked against the bytes present. */
function nativeFrame(
  file: DicomFile,
  m: PixelModule,
  element: dicomParser.Element,
  f: number,
  layout: NativeLayout,
): ArrayLike<number> {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated } = m;
  const pixels = rows * columns;
  const bytes = file.dataSet.byteArray;
  const start = element.dataOffset;
  const { frameBytes } = layout;
  if (bitsAllocated === 1) {
    const out = new Uint8Array(frameBytes);
    const first = f * frameBytes;
    for (let i = 0; i < frameBytes; i++) {
      const bit = first + i;
      out[i] = (bytes[start + (bit >> 3)] >> (bit & 7)) & 1;
    }
    return spp === 1 ? out : interleavedToPlanar(out, pixels, spp);
  }
  const bytesPerSample = bitsAllocated / 8;
  const offset = start + f * frameBytes;
  if (layout.subsampled) return expandYbr422(bytes.subarray(offset, offset + frameBytes), rows, columns);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, frameBytes);
  const bigEndian = file.transferSyntax.encoding === 'native-big-endian';
  const count = pixels * spp;
  let values: Uint8Array | Uint16Array | Uint32Array;
  if (bytesPerSample === 1) {
    values = bytes.slice(offset, offset + count); // a copy (bytes is a plain Uint8Array)
    // 8-bit samples in an OW element are byte-swapped in pairs under big endian.
    if (bigEndian && element.vr === 'OW') {
      for (let i = 0; i + 1 < count; i += 2) [values[i], values[i + 1]] = [values[i + 1], values[i]];
    }
  } else if (bytesPerSample === 2) {
    values = new Uint16Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getUint16(i * 2, !bigEndian);
  } else {
    values = new Uint32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getUint32(i * 4, !bigEndian);
  }
  return spp === 1 || m.planarConfiguration === 1 ? values : interleavedToPlanar(values, pixels, spp);
}

function truncated(file: DicomFile, m: PixelModule, have: number, need: number): MedattnDataError {
  const size = `Rows x Columns x Samples per Pixel x Bits Allocated x Number of Frames = ${m.rows} x ${m.columns} x ${m.samplesPerPixel} x ${m.bitsAllocated} x ${m.numberOfFrames}`;
  return new MedattnDataError(file.path, `pixel data truncated: ${have} bytes present, ${need} expected from ${size}`);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any typed-array constructor
export function interleavedToPlanar<T extends ArrayLike<number> & { constructor: Function }>(
  src: T,
  pixels: number,
  spp: number,
): T {
  const out = new (src.constructor as new (n: number) => T & { [i: number]: number })(pixels * spp);
  for (let c = 0; c < spp; c++) {
    for (let i = 0, j = c; i < pixels; i++, j += spp) out[c * pixels + i] = src[j];
  }
  return out;
}

/**
 * Groups the fragments of encapsulated Pixel Data into frames: by the Basic Offset Table when present, one
 * fragment per frame when the counts match, otherwise by where each codestream starts (JPEG SOI, J2K SOC).
 */
function splitFrames(file: DicomFile, element: dicomParser.Element, frameCount: number): Uint8Array[] {
  const bytes = file.dataSet.byteArray;
  const { basicOffsetTable: bot, fragments } = readEncapsulated(bytes, element.dataOffset, file.path);
  if (fragments.length === 0) {
    throw new MedattnDataError(
      file.path,
      `compressed transfer syntax ${describeTransferSyntax(file.transferSyntax)} but the pixel data holds no fragments`,
    );
  }
  if (frameCount > fragments.length) {
    // Every frame is at least one fragment: the header cannot claim more frames than the data holds.
    throw new MedattnDataError(
      file.path,
      `Number of Frames (0028,0008) is ${frameCount} but the encapsulated pixel data holds only ${fragments.length} fragment${fragments.length === 1 ? '' : 's'}`,
    );
  }
  const data = (fr: Fragment) => bytes.subarray(fr.position, fr.position + fr.length);
  const join = (list: Fragment[]): Uint8Array => {
    if (list.length === 1) return data(list[0]);
    const out = new Uint8Array(list.reduce((a, fr) => a + fr.length, 0));
    let p = 0;
    for (const fr of list) {
      out.set(data(fr), p);
      p += fr.length;
    }
    return out;
  };
  if (frameCount === 1) return [join(fragments)];
  if (bot.length === frameCount) {
    return bot.map((start, i) =>
      join(fragments.filter((fr) => fr.offset >= start && (i + 1 === bot.length || fr.offset < bot[i + 1]))),
    );
  }
  if (fragments.length === frameCount) return fragments.map((fr) => data(fr));
  const groups: Fragment[][] = [];
  for (const fr of fragments) {
    const b = data(fr);
    const startsCodestream = b.length >= 2 && b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f);
    if (startsCodestream || groups.length === 0) groups.push([fr]);
    else groups[groups.length - 1].push(fr);
  }
  if (groups.length !== frameCount) {
    throw new MedattnDataError(
      file.path,
      `cannot split ${fragments.length} pixel data fragments into ${frameCount} frames`,
    );
  }
  return groups.map(join);
}

async function decodeCompressedFrame(
  file: DicomFile,
  m: PixelModule,
  encoded: Uint8Array,
  f: number,
): Promise<PlanarFrame> {
  const { rows, columns, samplesPerPixel: spp } = m;
  const pixels = rows * columns;
  const checkSize = (width: number, height: number, components: number) => {
    if (width !== columns || height !== rows || components !== spp) {
      throw new MedattnDataError(
        file.path,
        `frame ${f}: codestream is ${width}x${height}x${components}, the header says ${columns}x${rows}x${spp}`,
      );
    }
  };
  const declared = file.transferSyntax.encoding === 'rle' ? undefined : codestreamSize(encoded);
  // Before decoding: a decoder allocates what the codestream claims, which must be what the header said.
  if (declared) checkSize(declared.width, declared.height, declared.components);
  switch (file.transferSyntax.encoding) {
    case 'rle': {
      // PackBits turns 2 bytes into at most 128: a frame cannot decode to more than 64x its size.
      const frameBytes = pixels * spp * Math.max(1, m.bitsAllocated / 8);
      if (frameBytes > 64 * encoded.length) {
        throw new MedattnDataError(
          file.path,
          `frame ${f}: ${encoded.length} bytes of RLE cannot hold Rows x Columns x Samples per Pixel = ${rows} x ${columns} x ${spp} (${frameBytes} bytes)`,
        );
      }
      const planarBytes = decodeRleFrame(encoded, rows, columns, spp, m.bitsAllocated === 1 ? 8 : m.bitsAllocated);
      const values =
        m.bitsAllocated === 16
          ? new Uint16Array(planarBytes.buffer, 0, pixels * spp)
          : m.bitsAllocated === 32
            ? new Uint32Array(planarBytes.buffer, 0, pixels * spp)
            : planarBytes;
      return { values, colorConverted: false };
    }
    case 'jpeg-8bit':
    case 'jpeg-12bit': {
      const precision = jpegSamplePrecision(encoded);
      if (precision !== undefined && precision > 8) {
        const d = decodeJpegDct(encoded);
        checkSize(d.width, d.height, d.componentCount);
        return {
          values: spp === 1 ? d.pixels : interleavedToPlanar(d.pixels, pixels, spp),
          colorConverted: d.colorConverted,
        };
      }
      const rgb = spp === 3 && m.photometricInterpretation === 'RGB';
      const d = await decodeWithWasm('jpeg', rgb ? markStreamAsRgb(encoded) : encoded);
      checkSize(d.width, d.height, d.componentCount);
      return { values: spp === 1 ? d.pixels : interleavedToPlanar(d.pixels, pixels, spp), colorConverted: true };
    }
    case 'jpeg-lossless': {
      const d = decodeJpegLossless(encoded);
      checkSize(d.width, d.height, d.componentCount);
      return { values: spp === 1 ? d.pixels : interleavedToPlanar(d.pixels, pixels, spp), colorConverted: false };
    }
    case 'jpeg-ls': {
      const d = await decodeWithWasm('jpegls', encoded);
      checkSize(d.width, d.height, d.componentCount);
      return { values: spp === 1 ? d.pixels : interleavedToPlanar(d.pixels, pixels, spp), colorConverted: false };
    }
    case 'jpeg-2000': {
      const d = await decodeWithWasm('j2k', encoded);
      checkSize(d.width, d.height, d.componentCount);
      const converted = m.photometricInterpretation === 'YBR_RCT' || m.photometricInterpretation === 'YBR_ICT';
      return { values: spp === 1 ? d.pixels : interleavedToPlanar(d.pixels, pixels, spp), colorConverted: converted };
    }
    default:
      throw new MedattnDataError(file.path, `no decoder for ${describeTransferSyntax(file.transferSyntax)}`);
  }
}
