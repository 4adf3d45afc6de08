/**
 * Baseline TIFF from bytes, for where sharp (libvips) is not at hand: the browser page. Reads the first image
 * of a classic (not Big) TIFF in strips: uncompressed, LZW, PackBits or Deflate, with or without horizontal
 * differencing; 8- or 16-bit unsigned samples; grey (BlackIsZero, WhiteIsZero inverted as libvips does), RGB,
 * either with an alpha sample; chunky or planar. Channels as readImageFile gives them (grey 1, RGB 3, RGB with
 * alpha 4; a grey alpha sample is dropped), so both decode a file to the same numbers. Tiles, palettes, CMYK,
 * YCbCr, JPEG-in-TIFF and float samples are refused with a one-line reason.
 */
import { unzlibSync } from 'fflate';
import { MedattnDataError, describeThrown } from './errors.js';
import type { MedicalImage } from '../medical-image.js';

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

export function parseTiff(
  bytes: Uint8Array,
  path: string,
  maxPixels = 2 ** 30,
): MedicalImage<Uint8Array | Uint16Array> {
  const fail = (reason: string): never => {
    throw new MedattnDataError(path, reason);
  };
  if (bytes.length < 8) fail('not a TIFF file (too short)');
  const le = bytes[0] === 0x49;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, le);
  const u32 = (o: number) => view.getUint32(o, le);
  if (u16(2) === 43) fail('BigTIFF is not supported here');
  if (u16(2) !== 42) fail('not a TIFF file (bad magic number)');
  const ifd = u32(4);
  if (ifd + 2 > bytes.length) fail('truncated: the first image directory is past the end of the file');
  const tags = new Map<number, number[]>();
  const entries = u16(ifd);
  if (ifd + 2 + 12 * entries > bytes.length) fail('truncated image directory');
  for (let i = 0; i < entries; i++) {
    const e = ifd + 2 + 12 * i;
    const [tag, type, count] = [u16(e), u16(e + 2), u32(e + 4)];
    const size = TYPE_SIZE[type] ?? 1;
    if (type !== 3 && type !== 4) continue; // every tag read here is SHORT or LONG
    const at = count * size <= 4 ? e + 8 : u32(e + 8);
    if (at + count * size > bytes.length) fail(`tag ${tag} points past the end of the file`);
    tags.set(
      tag,
      Array.from({ length: count }, (_, k) => (type === 3 ? u16(at + 2 * k) : u32(at + 4 * k))),
    );
  }
  const one = (tag: number, fallback?: number) => tags.get(tag)?.[0] ?? fallback ?? fail(`missing tag ${tag}`);
  const width = one(256);
  const height = one(257);
  if (!(width > 0 && height > 0)) fail(`invalid size ${width}x${height}`);
  if (width * height > maxPixels) fail(`${width}x${height} pixels, more than the ${maxPixels} allowed`);
  const spp = one(277, 1);
  const bits = one(258, 1);
  if ((tags.get(258) ?? [bits]).some((b) => b !== bits)) fail('samples of different bit depths');
  if (bits !== 8 && bits !== 16) fail(`${bits}-bit samples are not supported here (8 or 16)`);
  if ((tags.get(339) ?? [1]).some((f) => f !== 1)) fail('only unsigned integer samples are supported here');
  const compression = one(259, 1);
  const photometric = one(262);
  const planar = one(284, 1);
  const predictor = one(317, 1);
  if (tags.has(322)) fail('tiled TIFF is not supported here');
  if (photometric > 2)
    fail(`photometric interpretation ${photometric} (palette, CMYK, YCbCr, ...) is not supported here`);
  const colour = photometric === 2 ? 3 : 1;
  if (spp < colour || spp > colour + 1) fail(`${spp} samples per pixel with photometric interpretation ${photometric}`);
  const rowsPerStrip = Math.min(one(278, height), height);
  const offsets = tags.get(273) ?? fail('missing strip offsets');
  const counts = tags.get(279) ?? fail('missing strip byte counts');
  const bytesPerSample = bits / 8;
  const planes = planar === 2 ? spp : 1;
  const perPixel = planar === 2 ? 1 : spp;
  const stripsPerPlane = Math.ceil(height / rowsPerStrip);
  if (offsets.length < stripsPerPlane * planes || counts.length < offsets.length) fail('too few strips');
  // samples in file order: planar 2 keeps planes apart, chunky interleaves
  const raw = new Uint8Array(width * height * spp * bytesPerSample);
  const rowBytes = width * perPixel * bytesPerSample;
  for (let plane = 0; plane < planes; plane++) {
    for (let s = 0; s < stripsPerPlane; s++) {
      const k = plane * stripsPerPlane + s;
      if (offsets[k] + counts[k] > bytes.length) fail(`strip ${k} is past the end of the file (truncated?)`);
      const rows = Math.min(rowsPerStrip, height - s * rowsPerStrip);
      const want = rows * rowBytes;
      const encoded = bytes.subarray(offsets[k], offsets[k] + counts[k]);
      let strip: Uint8Array;
      try {
        strip = decompress(encoded, compression, want);
      } catch (e) {
        if (e instanceof MedattnDataError) throw e;
        return fail(`cannot decode strip ${k} (${describeThrown(e)})`);
      }
      if (strip.length < want) fail(`strip ${k} decoded to ${strip.length} bytes, expected ${want}`);
      raw.set(strip.subarray(0, want), plane * width * height * bytesPerSample + s * rowsPerStrip * rowBytes);
    }
  }
  let samples: Uint8Array | Uint16Array = raw;
  if (bits === 16) {
    samples = new Uint16Array(raw.length / 2);
    const v = new DataView(raw.buffer);
    for (let i = 0; i < samples.length; i++) samples[i] = v.getUint16(2 * i, le);
  }
  if (predictor === 2) undoDifferencing(samples, width, height * planes, perPixel);
  else if (predictor !== 1) fail(`predictor ${predictor} is not supported here`);
  // channels-first, as readImageFile gives it: grey drops an alpha sample, RGB keeps it
  const channels = colour === 1 ? 1 : spp;
  const n = width * height;
  const out = bits === 16 ? new Uint16Array(channels * n) : new Uint8Array(channels * n);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < n; i++) out[c * n + i] = planar === 2 ? samples[c * n + i] : samples[i * spp + c];
  if (photometric === 0) {
    const max = 2 ** bits - 1;
    for (let i = 0; i < n; i++) out[i] = max - out[i];
  }
  return { data: out, shape: [channels, height, width], meta: { format: 'tiff', bitsPerSample: bits } };
}

function decompress(src: Uint8Array, compression: number, expected: number): Uint8Array {
  switch (compression) {
    case 1:
      return src;
    case 5:
      return lzw(src, expected);
    case 8:
    case 32946:
      return unzlibSync(src);
    case 32773:
      return packBits(src, expected);
    default:
      throw new Error(`compression ${compression} is not supported here (none, LZW, PackBits, Deflate)`);
  }
}

/** TIFF's LZW: MSB-first codes of 9-12 bits, Clear 256, End 257, widths growing one code early. */
function lzw(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = first[i] = i;
    length[i] = 1;
  }
  let o = 0;
  let next = 258;
  let width = 9;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  const read = () => {
    while (accBits < width) {
      if (p >= src.length) return 257;
      acc = ((acc & 0xffff) << 8) | src[p++];
      accBits += 8;
    }
    accBits -= width;
    return (acc >>> accBits) & ((1 << width) - 1);
  };
  const emit = (code: number) => {
    const n = length[code];
    let c = code;
    for (let k = n - 1; k >= 0; k--) {
      if (o + k < expected) out[o + k] = suffix[c];
      c = prefix[c];
    }
    o += n;
  };
  const add = (before: number, char: number) => {
    if (next >= 4096) return;
    prefix[next] = before;
    suffix[next] = char;
    first[next] = first[before];
    length[next] = length[before] + 1;
    next++;
  };
  let old = -1;
  while (o < expected) {
    let code = read();
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      code = read();
      if (code === 257) break;
      if (code > 255) throw new Error('corrupt LZW stream');
      emit(code);
      old = code;
      continue;
    }
    if (old < 0) throw new Error('corrupt LZW stream (no Clear code first)');
    if (code < next) {
      emit(code);
      add(old, first[code]);
    } else if (code === next) {
      add(old, first[old]);
      emit(code);
    } else throw new Error('corrupt LZW stream');
    old = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, Math.min(o, expected));
}

function packBits(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let o = 0;
  for (let p = 0; p < src.length && o < expected;) {
    const n = (src[p++] << 24) >> 24;
    if (n >= 0) {
      out.set(src.subarray(p, p + n + 1).subarray(0, expected - o), o);
      o += n + 1;
      p += n + 1;
    } else if (n !== -128) {
      out.fill(src[p++], o, Math.min(expected, o + 1 - n));
      o += 1 - n;
    }
  }
  return out.subarray(0, Math.min(o, expected));
}

/** Predictor 2: each sample was stored as the difference from the one to its left (same channel). */
function undoDifferencing(a: Uint8Array | Uint16Array, width: number, rows: number, spp: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * width * spp;
    for (let i = start + spp; i < start + width * spp; i++) a[i] = a[i] + a[i - spp];
  }
}
