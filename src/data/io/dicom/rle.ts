/**
 * DICOM RLE Lossless (PS3.5 Annex G), written by hand: a 64-byte header of segment offsets, then one PackBits
 * segment per byte plane, most significant byte first, one sample after another.
 */

/**
 * Decodes one frame into planar samples: for each sample, rows*cols values of `bitsAllocated` bits
 * (returned as little endian bytes, so a Uint16Array/Uint32Array view reads them directly).
 */
export function decodeRleFrame(
  frame: Uint8Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
): Uint8Array {
  if (frame.length < 64) throw new Error(`RLE frame of ${frame.length} bytes has no complete header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segmentCount = view.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  const expectedSegments = samplesPerPixel * bytesPerSample;
  if (segmentCount !== expectedSegments) {
    throw new Error(
      `RLE header has ${segmentCount} segments, expected ${expectedSegments} (${samplesPerPixel} samples x ${bitsAllocated} bits)`,
    );
  }
  const offsets: number[] = [];
  for (let i = 0; i < segmentCount; i++) offsets.push(view.getUint32(4 + 4 * i, true));
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * expectedSegments);
  for (let s = 0; s < segmentCount; s++) {
    const start = offsets[s];
    const end = s + 1 < segmentCount ? offsets[s + 1] : frame.length;
    if (start < 64 || start > frame.length || end < start || end > frame.length)
      throw new Error(`RLE segment ${s} offset ${start} is outside the frame`);
    const sample = Math.floor(s / bytesPerSample);
    // Segment order is MSB first; little endian output puts the MSB at the highest byte of each value.
    const byteInValue = bytesPerSample - 1 - (s % bytesPerSample);
    const base = sample * pixels * bytesPerSample + byteInValue;
    unpackBits(frame, start, end, out, base, bytesPerSample, pixels, s);
  }
  return out;
}

function unpackBits(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  base: number,
  stride: number,
  count: number,
  segment: number,
): void {
  let p = start;
  let n = 0;
  while (n < count) {
    if (p >= end) throw new Error(`RLE segment ${segment} ends after ${n} of ${count} bytes (truncated)`);
    const header = src[p++];
    if (header < 128) {
      const len = header + 1;
      if (p + len > end || n + len > count) throw new Error(`RLE segment ${segment} literal run overflows`);
      for (let k = 0; k < len; k++) out[base + (n + k) * stride] = src[p + k];
      p += len;
      n += len;
    } else if (header > 128) {
      const len = 257 - header;
      if (p >= end || n + len > count) throw new Error(`RLE segment ${segment} replicate run overflows`);
      const value = src[p++];
      for (let k = 0; k < len; k++) out[base + (n + k) * stride] = value;
      n += len;
    } // 128 is a no-op by definition
  }
}
