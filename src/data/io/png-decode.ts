/**
 * A direct decoder for the PNGs that carry plain samples: 8- or 16-bit gray, RGB or RGBA, not interlaced, no
 * palette, transparency key or colour profile. Those are what scanners, MedMNIST exports and our own tools write,
 * and for them the samples in the file are exactly the pixels sharp gives, without sharp's two libvips pipelines
 * (about 3 ms per upload even for a 28x28 image). Anything else returns undefined and goes to sharp.
 * Pure TypeScript with the inflater passed in, so it runs wherever a zlib inflate does.
 */
import type { MedicalImage } from '../medical-image.js';
import { MedattnDataError } from './errors.js';
import { crc32 } from './zip-archive.js';

/** zlib-stream inflate that throws past `maxBytes` of output (a small file can claim a huge image). */
export type InflateZlib = (deflated: Uint8Array, maxBytes: number) => Uint8Array;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 6: 4 }; // colour type -> samples per pixel
// Chunks that change what the samples mean; with any of them sharp decides (palette, alpha key, colour space).
const DEFER_TO_SHARP = new Set(['PLTE', 'tRNS', 'iCCP', 'sBIT', 'cHRM', 'gAMA', 'sRGB']);

/**
 * The PNG's pixels as [C, H, W] (Uint8Array, or Uint16Array for 16-bit files), or undefined when the file is
 * a kind this decoder leaves to sharp. A damaged file (bad CRC, truncated data, unknown filter) is an error
 * naming `label`; so is one that decodes to more than `maxPixels`.
 */
export function decodePlainPng(
  bytes: Uint8Array,
  label: string,
  inflate: InflateZlib,
  maxPixels = 1 << 30,
): MedicalImage<Uint8Array | Uint16Array> | undefined {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (why: string) => new MedattnDataError(label, `cannot decode image (damaged PNG: ${why})`);
  let width = 0;
  let height = 0;
  let depth = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let at = 8; at < bytes.length && !ended;) {
    if (at + 12 > bytes.length) throw damaged('truncated chunk');
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const dataStart = at + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) throw damaged(`chunk ${type} runs past the end of the file`);
    if (crc32(bytes.subarray(at + 4, dataEnd)) !== view.getUint32(dataEnd)) throw damaged(`bad CRC in chunk ${type}`);
    if (at === 8) {
      if (type !== 'IHDR' || length !== 13) throw damaged('no IHDR chunk first');
      width = view.getUint32(dataStart);
      height = view.getUint32(dataStart + 4);
      depth = bytes[dataStart + 8];
      const colourType = bytes[dataStart + 9];
      const interlaced = bytes[dataStart + 12] !== 0;
      channels = CHANNELS[colourType] ?? 0;
      if (!channels || (depth !== 8 && depth !== 16) || interlaced) return undefined;
      if (!width || !height) throw damaged('zero width or height');
      if (width * height > maxPixels)
        throw new MedattnDataError(
          label,
          `${width}x${height} = ${width * height} pixels, more than the ${maxPixels} allowed`,
        );
    } else if (type === 'IDAT') idat.push(bytes.subarray(dataStart, dataEnd));
    else if (type === 'IEND') ended = true;
    else if (DEFER_TO_SHARP.has(type)) return undefined;
    at = dataEnd + 4;
  }
  if (!ended || !idat.length) throw damaged(idat.length ? 'no IEND chunk' : 'no image data');
  const bytesPerPixel = (channels * depth) / 8;
  const stride = width * bytesPerPixel;
  const expected = (stride + 1) * height;
  let deflated = idat[0];
  if (idat.length > 1) {
    deflated = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of idat) deflated.set(c, (offset += c.length) - c.length);
  }
  let filtered: Uint8Array;
  try {
    filtered = inflate(deflated, expected);
  } catch (e) {
    throw damaged(`image data does not inflate (${(e as Error).message})`);
  }
  if (filtered.length !== expected) throw damaged(`${filtered.length} bytes of image data, expected ${expected}`);
  const rows = unfilter(filtered, height, stride, bytesPerPixel, damaged);
  return { data: toChannelsFirst(rows, width * height, channels, depth), shape: [channels, height, width] };
}

/** Undoes the per-row filters (PNG spec section 9) in place order; returns the raw sample bytes, rows packed. */
function unfilter(
  src: Uint8Array,
  height: number,
  stride: number,
  bpp: number,
  damaged: (why: string) => Error,
): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = src[y * (stride + 1)];
    const s = y * (stride + 1) + 1;
    const o = y * stride;
    const p = o - stride; // the previous output row (only read when y > 0)
    switch (filter) {
      case 0:
        out.set(src.subarray(s, s + stride), o);
        break;
      case 1: // Sub
        for (let x = 0; x < stride; x++) out[o + x] = src[s + x] + (x >= bpp ? out[o + x - bpp] : 0);
        break;
      case 2: // Up
        for (let x = 0; x < stride; x++) out[o + x] = src[s + x] + (y ? out[p + x] : 0);
        break;
      case 3: // Average
        for (let x = 0; x < stride; x++)
          out[o + x] = src[s + x] + (((x >= bpp ? out[o + x - bpp] : 0) + (y ? out[p + x] : 0)) >> 1);
        break;
      case 4: // Paeth
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[o + x - bpp] : 0;
          const b = y ? out[p + x] : 0;
          const c = x >= bpp && y ? out[p + x - bpp] : 0;
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          out[o + x] = src[s + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        throw damaged(`unknown filter type ${filter} on row ${y}`);
    }
  }
  return out;
}

/** Interleaved big-endian samples -> channels-first planes. */
function toChannelsFirst(raw: Uint8Array, pixels: number, channels: number, depth: number): Uint8Array | Uint16Array {
  if (depth === 8) {
    if (channels === 1) return raw;
    const out = new Uint8Array(raw.length);
    for (let c = 0; c < channels; c++)
      for (let i = 0, j = c; i < pixels; i++, j += channels) out[c * pixels + i] = raw[j];
    return out;
  }
  const out = new Uint16Array(pixels * channels);
  for (let c = 0; c < channels; c++)
    for (let i = 0, j = 2 * c; i < pixels; i++, j += 2 * channels) out[c * pixels + i] = (raw[j] << 8) | raw[j + 1];
  return out;
}
