/**
 * Parsing a DICOM file's data set with dicom-parser (explicit/implicit VR, little/big endian, deflated),
 * plus typed accessors for the attributes the pixel pipeline and `inspect` need.
 * Bytes in, no Node.js modules (the browser page bundles it): deflate comes from the caller's `inflateRaw`
 * (dicom-file.ts passes zlib's).
 */
import dicomParser from 'dicom-parser';
import { MedattnDataError, describeThrown } from '../errors.js';
import { lookupTransferSyntax, type TransferSyntax } from './transfer-syntax.js';

export interface DicomFile {
  path: string;
  bytes: Uint8Array;
  dataSet: dicomParser.DataSet;
  transferSyntax: TransferSyntax;
  /** True when the file lacked the 128-byte preamble + 'DICM' and was read as a bare data set. */
  bareDataSet: boolean;
  /** True when the meta header said explicit VR but the data set is implicit VR (pydicom tolerates it too). */
  implicitDespiteMeta: boolean;
}

/** VRs of the attributes we read as numbers, for implicit VR files where the file does not say. */
const IMPLICIT_VR: Record<string, string> = {
  x00280002: 'US',
  x00280006: 'US',
  x00280008: 'IS',
  x00280010: 'US',
  x00280011: 'US',
  x00280100: 'US',
  x00280101: 'US',
  x00280102: 'US',
  x00280103: 'US',
  x00281050: 'DS',
  x00281051: 'DS',
  x00281052: 'DS',
  x00281053: 'DS',
  x00280030: 'DS',
  x00181164: 'DS',
  x00180050: 'DS',
  x00180088: 'DS',
  x00200032: 'DS',
  x00200037: 'DS',
  x00200013: 'IS',
  x7fe00010: 'OW',
};

const vrCallback = (tag: string) => IMPLICIT_VR[tag] as unknown as void;

/** Raw DEFLATE (RFC 1951) -> bytes: what the Deflated Explicit VR Little Endian transfer syntax needs. */
export type InflateRaw = (deflated: Uint8Array) => Uint8Array;

/** dicom-parser's inflater contract: the bytes before `position` kept, the rest inflated. */
function inflater(inflateRaw: InflateRaw) {
  return (bytes: Uint8Array, position: number): Uint8Array => {
    const inflated = inflateRaw(bytes.subarray(position));
    const out = new Uint8Array(position + inflated.length);
    out.set(bytes.subarray(0, position));
    out.set(inflated, position);
    return out;
  };
}

export function parseDicomBytes(buffer: Uint8Array, path: string, inflateRaw?: InflateRaw): DicomFile {
  // A plain Uint8Array: Buffer#slice would return views and silently share memory with the file bytes.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const hasPrefix = bytes.length >= 132 && latin1(bytes, 128, 132) === 'DICM';
  let bareTransferSyntax: string | undefined;
  if (!hasPrefix) {
    bareTransferSyntax = guessBareTransferSyntax(bytes);
    if (!bareTransferSyntax)
      throw new MedattnDataError(path, 'not a DICOM file (no DICM prefix and no recognisable data set)');
  }
  let dataSet: dicomParser.DataSet;
  let implicitDespiteMeta = false;
  let uid: string | undefined = bareTransferSyntax;
  try {
    if (hasPrefix) {
      const meta = dicomParser.readPart10Header(bytes);
      uid = meta.string('x00020010');
      if (!uid) throw new MedattnDataError(path, 'no Transfer Syntax UID (0002,0010) in the file meta information');
      const position = (meta as unknown as { position: number }).position;
      if (uid !== '1.2.840.10008.1.2' && uid !== '1.2.840.10008.1.2.1.99' && looksImplicit(bytes, position)) {
        // Meta says explicit VR, data set is implicit: parse the data set on its own as implicit.
        implicitDespiteMeta = true;
        dataSet = dicomParser.parseDicom(bytes.subarray(position), {
          TransferSyntaxUID: '1.2.840.10008.1.2',
          vrCallback,
        });
      } else {
        if (uid === '1.2.840.10008.1.2.1.99' && !inflateRaw)
          throw new MedattnDataError(path, 'Deflated Explicit VR Little Endian needs an inflater here');
        dataSet = dicomParser.parseDicom(bytes, {
          vrCallback,
          ...(inflateRaw ? { inflater: inflater(inflateRaw) as unknown as (a: Uint8Array, p: number) => void } : {}),
        });
      }
    } else {
      dataSet = dicomParser.parseDicom(bytes, { TransferSyntaxUID: bareTransferSyntax, vrCallback });
    }
  } catch (e) {
    if (e instanceof MedattnDataError) throw e;
    // dicom-parser throws strings or {exception, dataSet}; keep just the message.
    const text =
      typeof e === 'object' && e !== null && 'exception' in e
        ? describeThrown((e as { exception: unknown }).exception)
        : describeThrown(e);
    throw new MedattnDataError(
      path,
      `cannot parse DICOM data set (${text.replace(/^dicomParser[.:]\w+: /, '')}; truncated or corrupted?)`,
      { cause: e },
    );
  }
  checkComplete(dataSet, path);
  const transferSyntax = lookupTransferSyntax(uid!);
  return { path, bytes, dataSet, transferSyntax, bareDataSet: !hasPrefix, implicitDespiteMeta };
}

/**
 * dicom-parser can stop quietly at a cut-off element (keeping what it read), so a truncated file would look
 * like a file without pixel data. Any element ending past the data, or a data set with nothing but the
 * meta header, means the file is truncated or corrupted.
 */
function checkComplete(dataSet: dicomParser.DataSet, path: string): void {
  const size = dataSet.byteArray.length;
  let instanceElements = 0;
  for (const [tag, el] of Object.entries(dataSet.elements)) {
    if (!tag.startsWith('x0002')) instanceElements++;
    if (el.length !== undefined && el.length !== 0xffffffff && el.dataOffset + el.length > size) {
      throw new MedattnDataError(
        path,
        `file is truncated: element (${tag.slice(1, 5)},${tag.slice(5)}) needs ${el.length} bytes, ${Math.max(0, size - el.dataOffset)} remain`,
      );
    }
  }
  if (instanceElements === 0)
    throw new MedattnDataError(
      path,
      'cannot parse DICOM data set (no elements after the meta header: truncated or corrupted?)',
    );
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** Explicit VR puts two upper-case letters after the tag; implicit VR puts a 4-byte length there. */
function looksImplicit(bytes: Uint8Array, position: number): boolean {
  if (position + 8 > bytes.length) return false;
  return !/^[A-Z]{2}$/.test(latin1(bytes, position + 4, position + 6));
}

/**
 * A file without preamble is a bare data set: decide implicit vs explicit little endian from whether bytes
 * 4-5 look like a VR, and require a plausible group number so random files are not taken for DICOM.
 */
function guessBareTransferSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0] | (bytes[1] << 8);
  const groupBE = (bytes[0] << 8) | bytes[1];
  const vr = latin1(bytes, 4, 6);
  const looksLikeVr = /^[A-Z]{2}$/.test(vr);
  if (group === 0x0008 || group === 0x0002) return looksLikeVr ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
  if (groupBE === 0x0008 && looksLikeVr) return '1.2.840.10008.1.2.2';
  return undefined;
}

/** Typed attribute access that tolerates missing values; numbers come back as numbers whatever the VR. */
export class DicomAttributes {
  constructor(readonly file: DicomFile) {}

  get dataSet(): dicomParser.DataSet {
    return this.file.dataSet;
  }

  has(tag: string): boolean {
    return this.file.dataSet.elements[tag] !== undefined;
  }

  string(tag: string): string | undefined {
    try {
      const v = this.file.dataSet.string(tag);
      return v === undefined || v === '' ? undefined : v;
    } catch {
      return undefined;
    }
  }

  /** US/SS/UL/SL or IS/DS, whichever the element holds. */
  number(tag: string, index = 0): number | undefined {
    const el = this.file.dataSet.elements[tag];
    if (!el || el.length === 0) return undefined;
    const vr = el.vr ?? IMPLICIT_VR[tag];
    try {
      if (vr === 'US' || (vr === undefined && el.length === 2)) return this.file.dataSet.uint16(tag, index);
      if (vr === 'SS') return this.file.dataSet.int16(tag, index);
      if (vr === 'UL' || (vr === undefined && el.length === 4 && !isDecimalText(this.file, el)))
        return this.file.dataSet.uint32(tag, index);
      if (vr === 'SL') return this.file.dataSet.int32(tag, index);
      if (vr === 'FL') return this.file.dataSet.float(tag, index);
      if (vr === 'FD') return this.file.dataSet.double(tag, index);
      const text = this.file.dataSet.string(tag, index);
      if (text === undefined || text.trim() === '') return undefined;
      const n = Number(text.trim());
      return Number.isFinite(n) ? n : undefined;
    } catch {
      return undefined;
    }
  }

  numbers(tag: string): number[] | undefined {
    const text = this.string(tag);
    if (text === undefined) return undefined;
    const values = text.split('\\').map((s) => Number(s.trim()));
    return values.every(Number.isFinite) ? values : undefined;
  }
}

function isDecimalText(file: DicomFile, el: dicomParser.Element): boolean {
  const text = latin1(file.dataSet.byteArray, el.dataOffset, el.dataOffset + el.length);
  return /^[\s+\-0-9.eE]+$/.test(text);
}
