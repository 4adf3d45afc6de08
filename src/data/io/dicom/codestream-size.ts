/**
 * The image size a compressed frame declares in its own header (JPEG/JPEG-LS SOF, JPEG 2000 SIZ), read
 * without decoding, so a codestream whose size disagrees with the DICOM header is refused before a decoder
 * allocates what the codestream claims.
 */

export interface CodestreamSize {
  width: number;
  height: number;
  components: number;
}

/** undefined when the frame does not start with a JPEG SOI or a JPEG 2000 SOC + SIZ (the decoder decides). */
export function codestreamSize(b: Uint8Array): CodestreamSize | undefined {
  if (b.length < 4 || b[0] !== 0xff) return undefined;
  if (b[1] === 0xd8) return jpegFrameSize(b);
  if (b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) return j2kSize(b);
  return undefined;
}

/** First SOFn (JPEG processes, 0xC0-0xCF without DHT/JPG/DAC) or SOF55 (JPEG-LS, 0xF7) segment. */
function jpegFrameSize(b: Uint8Array): CodestreamSize | undefined {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const sof =
      (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (sof) return { height: (b[p + 5] << 8) | b[p + 6], width: (b[p + 7] << 8) | b[p + 8], components: b[p + 9] };
    p += 2 + ((b[p + 2] << 8) | b[p + 3]);
  }
  return undefined;
}

/** SIZ: Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz (PS ISO 15444-1 A.5.1). */
function j2kSize(b: Uint8Array): CodestreamSize | undefined {
  if (b.length < 4 + 2 + 2 + 32 + 2) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  return { width, height, components: v.getUint16(40) };
}
