/**
 * The DICOM transfer syntaxes: how each one stores pixels and which decoder (if any) reads it. Every UID has
 * a name so an unsupported file can be reported as `1.2.840.10008.1.2.4.100 (MPEG2 Main Profile)`.
 */

export type PixelEncoding =
  | 'native' // uncompressed, little endian (deflate is undone while parsing the header)
  | 'native-big-endian'
  | 'rle'
  | 'jpeg-8bit' // JPEG baseline / extended, 8-bit samples: libjpeg-turbo
  | 'jpeg-12bit' // JPEG extended with 12-bit samples: our own DCT decoder
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'unsupported';

export interface TransferSyntax {
  uid: string;
  name: string;
  /** How the pixel data is stored; 'jpeg-8bit' is refined to 'jpeg-12bit' from the JPEG header itself. */
  encoding: PixelEncoding;
  /** Why we do not decode it (only for unsupported ones). */
  whyUnsupported?: string;
}

const VIDEO = 'video transfer syntaxes are not decoded (no video codec in medattn)';

const TABLE: Array<[string, string, PixelEncoding, string?]> = [
  ['1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native'],
  ['1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'],
  [
    '1.2.840.10008.1.2.1.98',
    'Encapsulated Uncompressed Explicit VR Little Endian',
    'unsupported',
    'encapsulated uncompressed pixel data is not implemented',
  ],
  ['1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native'],
  ['1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native-big-endian'],
  ['1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-8bit'],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 and 4)', 'jpeg-8bit'],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'],
  [
    '1.2.840.10008.1.2.4.70',
    'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
    'jpeg-lossless',
  ],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression', 'jpeg-ls'],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression', 'jpeg-ls'],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', 'jpeg-2000'],
  [
    '1.2.840.10008.1.2.4.202',
    'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
    'jpeg-2000',
  ],
  ['1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.94', 'JPIP Referenced', 'unsupported', 'pixel data is on a JPIP server, not in the file'],
  [
    '1.2.840.10008.1.2.4.95',
    'JPIP Referenced Deflate',
    'unsupported',
    'pixel data is on a JPIP server, not in the file',
  ],
  [
    '1.2.840.10008.1.2.4.204',
    'JPIP HTJ2K Referenced',
    'unsupported',
    'pixel data is on a JPIP server, not in the file',
  ],
  [
    '1.2.840.10008.1.2.4.205',
    'JPIP HTJ2K Referenced Deflate',
    'unsupported',
    'pixel data is on a JPIP server, not in the file',
  ],
  ['1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.100.1', 'Fragmentable MPEG2 Main Profile / Main Level', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.101.1', 'Fragmentable MPEG2 Main Profile / High Level', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1', 'unsupported', VIDEO],
  ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'unsupported', 'no JPEG XL codec is installed'],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', 'unsupported', 'no JPEG XL codec is installed'],
  ['1.2.840.10008.1.2.4.112', 'JPEG XL', 'unsupported', 'no JPEG XL codec is installed'],
  ['1.2.840.10008.1.2.6.1', 'RFC 2557 MIME encapsulation', 'unsupported', 'retired MIME encapsulation'],
  ['1.2.840.10008.1.2.6.2', 'XML Encoding', 'unsupported', 'XML-encoded data sets are not DICOM files'],
];

const BY_UID = new Map(TABLE.map(([uid, name, encoding, why]) => [uid, { uid, name, encoding, whyUnsupported: why }]));

/** Retired JPEG processes 3, 5-13, 15-29 (hierarchical, progressive, arithmetic coding): named, not decoded. */
function retiredJpeg(uid: string): TransferSyntax | undefined {
  const m = /^1\.2\.840\.10008\.1\.2\.4\.(5[2-9]|6\d)$/.exec(uid);
  if (!m || uid === '1.2.840.10008.1.2.4.57') return undefined;
  return {
    uid,
    name: `JPEG (retired process, 1.2.840.10008.1.2.4.${m[1]})`,
    encoding: 'unsupported',
    whyUnsupported: 'retired JPEG processes (progressive, hierarchical, arithmetic coding) are not decoded',
  };
}

export function lookupTransferSyntax(uid: string): TransferSyntax {
  const clean = uid.replace(/\0/g, '').trim();
  return (
    BY_UID.get(clean) ??
    retiredJpeg(clean) ?? {
      uid: clean,
      name: 'unknown transfer syntax',
      encoding: 'unsupported',
      whyUnsupported: 'not a transfer syntax medattn knows',
    }
  );
}

export function describeTransferSyntax(ts: TransferSyntax): string {
  return `${ts.uid} (${ts.name})`;
}
