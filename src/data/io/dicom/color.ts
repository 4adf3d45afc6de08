/**
 * Colour conversions for DICOM YBR photometric interpretations (PS3.3 C.7.6.3.1.2): YBR_FULL to RGB with
 * the JPEG/JFIF matrix, and expanding horizontally subsampled YBR_FULL_422 storage to full resolution.
 */

/** Planar Y, Cb, Cr (each `pixels` long) → planar R, G, B, rounded and clipped to `bits`. */
export function ybrFullToRgb(ybr: ArrayLike<number>, pixels: number, bits: number): Float64Array {
  const out = new Float64Array(pixels * 3);
  const max = 2 ** bits - 1;
  const mid = 2 ** (bits - 1);
  const clip = (v: number) => (v < 0 ? 0 : v > max ? max : Math.round(v));
  for (let i = 0; i < pixels; i++) {
    const y = ybr[i];
    const cb = ybr[pixels + i] - mid;
    const cr = ybr[2 * pixels + i] - mid;
    out[i] = clip(y + 1.402 * cr);
    out[pixels + i] = clip(y - 0.344136 * cb - 0.714136 * cr);
    out[2 * pixels + i] = clip(y + 1.772 * cb);
  }
  return out;
}

/** Native YBR_FULL_422 stores Y1 Y2 Cb Cr for each pair of pixels in a row; returns planar Y, Cb, Cr. */
export function expandYbr422(src: Uint8Array, rows: number, columns: number): Uint8Array {
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * 3);
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const i = r * columns + c;
      const y1 = src[p++];
      const y2 = src[p++];
      const cb = src[p++];
      const cr = src[p++];
      out[i] = y1;
      out[pixels + i] = cb;
      out[2 * pixels + i] = cr;
      if (c + 1 < columns) {
        out[i + 1] = y2;
        out[pixels + i + 1] = cb;
        out[2 * pixels + i + 1] = cr;
      }
    }
  }
  return out;
}
