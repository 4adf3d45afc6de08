/**
 * The page's half of upload decoding (the other half, shared with the server, is src/serve/upload-decoder.ts):
 * PNG, JPEG, GIF and WebP through the browser's own decoder, TIFF through medattn's TIFF reader, gzip and DEFLATE
 * through fflate (pure JavaScript), bounded like the server's zlib and checked against the gzip CRC-32.
 */
import { Gunzip, inflateSync } from 'fflate';
import { parseTiff } from '../src/data/io/tiff.js';
import { crc32 } from '../src/data/io/zip-archive.js';
import type { MedicalImage } from '../src/data/medical-image.js';
import { UndecodableUploadError, UploadTooLargeError, type UploadCodecs } from '../src/serve/upload-decoder.js';

const LABEL = 'upload';

async function bitmapImage(bytes: Uint8Array): Promise<MedicalImage> {
  let bitmap: ImageBitmap;
  try {
    // no colour management or premultiplication: the pixel values the file holds, as the server reads them
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new UndecodableUploadError(`${LABEL}: this browser cannot decode the image`);
  }
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const n = bitmap.width * bitmap.height;
  let grey = true;
  for (let i = 0; i < n && grey; i++) grey = px[4 * i] === px[4 * i + 1] && px[4 * i] === px[4 * i + 2];
  const channels = grey ? 1 : 3;
  const data = new Uint8Array(channels * n);
  for (let k = 0; k < channels; k++) for (let i = 0; i < n; i++) data[k * n + i] = px[4 * i + k];
  return { data, shape: [channels, bitmap.height, bitmap.width] };
}

/** gzip -> bytes in 64 KiB steps, stopping past `maxBytes` (a gzip bomb) and checking the CRC-32 and length. */
function gunzip(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.length < 18) throw new UndecodableUploadError(`${LABEL}: corrupted gzip stream`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new UploadTooLargeError(`${LABEL}: the gzip stream inflates past ${maxBytes} bytes`);
    chunks.push(chunk);
  });
  try {
    const step = 1 << 16;
    for (let p = 0; p < bytes.length; p += step) stream.push(bytes.subarray(p, p + step), p + step >= bytes.length);
  } catch (e) {
    if (e instanceof UploadTooLargeError) throw e;
    throw new UndecodableUploadError(`${LABEL}: corrupted gzip stream`);
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  const trailer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
  if (crc32(out) !== trailer.getUint32(0, true) || total >>> 0 !== trailer.getUint32(4, true))
    throw new UndecodableUploadError(`${LABEL}: corrupted gzip stream`);
  return out;
}

export const browserCodecs: UploadCodecs = {
  async raster(bytes, format, maxPixels) {
    return format === 'tiff' ? parseTiff(bytes, LABEL, maxPixels) : bitmapImage(bytes);
  },
  gunzip,
  inflateRaw: (deflated) => inflateSync(deflated),
};
