/**
 * Whether an 8-bit JPEG's three components are YCbCr or RGB is signalled by JFIF/Adobe markers, and DICOM
 * files often carry neither. pydicom and dcmtk both take Photometric Interpretation RGB without an Adobe
 * marker to mean "stored as RGB, no colour transform", while libjpeg would assume YCbCr. We make libjpeg agree
 * by adding an Adobe APP14 segment with transform 0 (RGB) to such streams before decoding.
 */

export function markStreamAsRgb(jpeg: Uint8Array): Uint8Array {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return jpeg;
  let p = 2;
  while (p + 4 <= jpeg.length && jpeg[p] === 0xff) {
    const marker = jpeg[p + 1];
    if (marker === 0xda || marker === 0xd9) break; // scan data follows: no more header segments
    const len = (jpeg[p + 2] << 8) | jpeg[p + 3];
    if (marker === 0xe0 && isTagged(jpeg, p + 4, 'JFIF')) return jpeg; // JFIF means YCbCr; libjpeg honours it
    // Already explicit, unless the segment is too short to hold the transform byte (libjpeg ignores those).
    if (marker === 0xee && len >= 14 && isTagged(jpeg, p + 4, 'Adobe')) return jpeg;
    p += 2 + len;
  }
  const app14 = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];
  const out = new Uint8Array(jpeg.length + app14.length);
  out.set(jpeg.subarray(0, 2));
  out.set(app14, 2);
  out.set(jpeg.subarray(2), 2 + app14.length);
  return out;
}

function isTagged(b: Uint8Array, at: number, tag: string): boolean {
  for (let i = 0; i < tag.length; i++) if (b[at + i] !== tag.charCodeAt(i)) return false;
  return true;
}
