/**
 * A file's format from its first bytes (magic numbers; 600 are enough) and its name (extension fallbacks).
 * No Node.js modules (the browser page bundles it); read-image.ts adds a look inside gzip streams.
 */
export type FileFormat = 'dicom' | 'dicom-series' | 'nifti' | 'npy' | 'npz' | 'png' | 'jpeg' | 'tiff' | 'gif' | 'webp';

export function sniffFormat(b: Uint8Array, path: string): FileFormat | undefined {
  const n = b.length;
  const text = (from: number, to: number) => String.fromCharCode(...b.subarray(from, Math.min(to, n)));
  const u16 = (at: number) => b[at] | (b[at + 1] << 8);
  const at = (offset: number, ...bytes: number[]) => bytes.every((v, i) => b[offset + i] === v);
  if (n >= 132 && text(128, 132) === 'DICM') return 'dicom';
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (text(0, 4) === 'GIF8') return 'gif';
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP') return 'webp';
  if (at(0, 0x93) && text(1, 6) === 'NUMPY') return 'npy';
  if (at(0, 0x50, 0x4b, 0x03, 0x04) || at(0, 0x50, 0x4b, 0x05, 0x06)) return 'npz';
  if (isNiftiHeader(b)) return 'nifti';
  if (at(0, 0x1f, 0x8b) && /\.nii\.gz$/i.test(path)) return 'nifti';
  const lower = path.toLowerCase();
  if (lower.endsWith('.dcm') || lower.endsWith('.dicom')) return 'dicom';
  // Bare DICOM data sets (no preamble) start with a group 0008 tag.
  if (n >= 8 && (u16(0) === 0x0008 || u16(0) === 0x0002)) return 'dicom';
  return undefined;
}

/** NIfTI-1 or -2 header size (348 or 540) in either byte order. */
export function isNiftiHeader(b: Uint8Array): boolean {
  if (b.length < 348) return false;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = v.getInt32(0, true);
  const sizeBE = v.getInt32(0, false);
  return size === 348 || size === 540 || sizeBE === 348 || sizeBE === 540;
}
