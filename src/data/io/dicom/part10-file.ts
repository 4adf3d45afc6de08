/**
 * A DICOM Part 10 file as element trees (file meta information + data set) for tools that rewrite files,
 * and the writer back to Part 10 bytes in the same transfer syntax. Files dicom-parser accepts are accepted
 * here (bare data sets without preamble, implicit VR despite an explicit VR meta header, deflate); the output
 * is always a proper Part 10 file: preamble, 'DICM', the meta group with its group length, then the data set.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { parseDicomBytes } from './dicom-file.js';
import { readElements, writeElements, type DicomElement, type ElementCoding } from './element-tree.js';
import { MedattnDataError } from '../errors.js';

export interface Part10File {
  meta: DicomElement[];
  dataSet: DicomElement[];
  transferSyntaxUid: string;
}

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const META = { explicitVr: true, littleEndian: true };

export function codingOf(transferSyntaxUid: string): ElementCoding {
  return { explicitVr: transferSyntaxUid !== IMPLICIT_LE, littleEndian: transferSyntaxUid !== EXPLICIT_BE };
}

export function readPart10(bytes: Uint8Array, path: string, vrOf?: (tag: number) => string | undefined): Part10File {
  const parsed = parseDicomBytes(bytes, path);
  let transferSyntaxUid = parsed.transferSyntax.uid;
  let meta: DicomElement[] = [];
  let start = 0;
  if (!parsed.bareDataSet) {
    start = metaEnd(bytes, path);
    meta = readElements(bytes.subarray(132, start), META, path);
    if (parsed.implicitDespiteMeta) transferSyntaxUid = IMPLICIT_LE;
  }
  let body = bytes.subarray(start);
  if (transferSyntaxUid === DEFLATED) body = inflateRawSync(body);
  const dataSet = readElements(body, codingOf(transferSyntaxUid), path, vrOf);
  return { meta, dataSet, transferSyntaxUid };
}

/** The meta group is explicit VR little endian and ends at the first element outside group 0002. */
function metaEnd(bytes: Uint8Array, path: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 132;
  while (pos + 8 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    const vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
    if (['OB', 'OW', 'UN', 'UT', 'SQ'].includes(vr)) pos += 12 + view.getUint32(pos + 8, true);
    else pos += 8 + view.getUint16(pos + 6, true);
  }
  if (pos > bytes.length) throw new MedattnDataError(path, 'file is truncated inside the file meta information');
  return pos;
}

/** Part 10 bytes: `meta` without its group length (recomputed here), `dataSet` in `transferSyntaxUid`. */
export function writePart10(
  meta: readonly DicomElement[],
  dataSet: readonly DicomElement[],
  transferSyntaxUid: string,
) {
  const metaBody = writeElements(
    meta.filter((e) => e.tag !== 0x00020000),
    META,
  );
  const groupLength = new Uint8Array(12);
  const gl = new DataView(groupLength.buffer);
  gl.setUint16(0, 0x0002, true);
  gl.setUint16(2, 0x0000, true);
  groupLength[4] = 'U'.charCodeAt(0);
  groupLength[5] = 'L'.charCodeAt(0);
  gl.setUint16(6, 4, true);
  gl.setUint32(8, metaBody.length, true);
  let body = writeElements(dataSet, codingOf(transferSyntaxUid));
  if (transferSyntaxUid === DEFLATED) body = deflateRawSync(body);
  const out = new Uint8Array(132 + groupLength.length + metaBody.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(groupLength, 132);
  out.set(metaBody, 144);
  out.set(body, 144 + metaBody.length);
  return out;
}
