/**
 * Ordinary raster files (PNG, JPEG, TIFF, GIF, WebP) decoded by sharp into a channels-first MedicalImage.
 * 16-bit files stay 16-bit (Uint16Array); everything else is Uint8Array. Gray files give one channel; palette
 * files (GIF, indexed PNG) whose palette is gray also give one channel, because medical masks are stored that way.
 */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { MedattnDataError, describeThrown } from './errors.ts';
import type { MedicalImage } from '../medical-image.ts';

export interface ReadImageFileOptions {
  /** Force a channel count: 1 (gray), 3 (RGB) or 4 (RGBA). Default: what the file holds. */
  channels?: 1 | 3 | 4;
}

export async function readImageFile(
  path: string,
  options: ReadImageFileOptions = {},
): Promise<MedicalImage<Uint8Array | Uint16Array>> {
  try {
    await stat(path);
  } catch (e) {
    throw new MedattnDataError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    // failOn 'warning' turns libpng/libjpeg complaints about corrupt data into errors instead of gray pixels.
    const input = () => sharp(path, { failOn: 'warning', limitInputPixels: 1 << 30 });
    const meta = await input().metadata();
    const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
    const fileChannels = meta.channels ?? 3;
    const hasAlpha = Boolean(meta.hasAlpha);
    const gray = fileChannels - (hasAlpha ? 1 : 0) === 1;
    const want = options.channels ?? (gray ? 1 : hasAlpha ? 4 : 3);
    let pipeline = input();
    if (want === 1) pipeline = pipeline.toColourspace(sixteen ? 'grey16' : 'b-w');
    else pipeline = pipeline.toColourspace(sixteen ? 'rgb16' : 'srgb');
    if (want === 3) pipeline = pipeline.removeAlpha();
    if (want === 4) pipeline = pipeline.ensureAlpha();
    const { data, info } = await pipeline.raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    const { width, height } = info;
    let channels = info.channels;
    let pixels: Uint8Array | Uint16Array = sixteen
      ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
      : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    let planar = toChannelsFirst(pixels, width * height, channels);
    if (options.channels === undefined && meta.isPalette && channels === 3 && isGrayRgb(planar, width * height)) {
      planar = planar.slice(0, width * height);
      channels = 1;
    }
    pixels = planar;
    return {
      data: pixels,
      shape: [channels, height, width],
      meta: { format: meta.format, bitsPerSample: sixteen ? 16 : 8, palette: Boolean(meta.isPalette) },
    };
  } catch (e) {
    if (e instanceof MedattnDataError) throw e;
    throw new MedattnDataError(path, `cannot decode image (${describeThrown(e)})`, { cause: e });
  }
}

/** sharp gives interleaved HWC; our images are CHW. */
function toChannelsFirst<T extends Uint8Array | Uint16Array>(hwc: T, pixels: number, channels: number): T {
  if (channels === 1) return hwc;
  const out = new (hwc.constructor as new (n: number) => T)(hwc.length);
  for (let c = 0; c < channels; c++) {
    const base = c * pixels;
    for (let i = 0, j = c; i < pixels; i++, j += channels) out[base + i] = hwc[j];
  }
  return out;
}

function isGrayRgb(chw: Uint8Array | Uint16Array, pixels: number): boolean {
  for (let i = 0; i < pixels; i++) {
    if (chw[i] !== chw[pixels + i] || chw[i] !== chw[2 * pixels + i]) return false;
  }
  return true;
}
