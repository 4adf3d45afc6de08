/**
 * A DICOM data set as a lossless tree of elements, read from and written back to bytes: what a rewriting
 * tool (de-identification) needs and dicom-parser, a read-only parser, does not give. Values are kept as
 * the file's bytes (so pixel data, encapsulated fragments included, is copied byte for byte); sequences are
 * parsed into items so nested attributes can be changed. Writes explicit or implicit VR, little or big
 * endian (the byte order of values is the file's own, so nothing but tags and lengths is converted);
 * sequences and items are written with undefined length, which every transfer syntax allows.
 */
import { MedattnDataError } from '../errors.js';

export interface DicomElement {
  /** (group << 16 | element) as an unsigned 32-bit number. */
  tag: number;
  /** The VR written in the file (explicit VR), or '' where an implicit VR file does not say. */
  vr: string;
  /** The value bytes; empty for sequences and encapsulated pixel data. */
  value: Uint8Array;
  /** Items of a sequence (SQ, or UN with undefined length, which holds an implicit VR LE sequence). */
  items?: DicomElement[][];
  /** Encapsulated pixel data: the fragment items and the sequence delimiter, as stored. */
  encapsulated?: Uint8Array;
}

export interface ElementCoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
/** Explicit VRs whose length field is 4 bytes after 2 reserved bytes. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export const tagHex = (tag: number) => (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
export const tagText = (tag: number) => `(${tagHex(tag).slice(0, 4)},${tagHex(tag).slice(4)})`;

class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly path: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(pos: number, n: number, what: string): void {
    if (pos + n > this.bytes.length)
      throw new MedattnDataError(this.path, `file is truncated inside ${what} at byte ${pos}`);
  }

  u16(pos: number, le: boolean): number {
    return this.view.getUint16(pos, le);
  }

  u32(pos: number, le: boolean): number {
    return this.view.getUint32(pos, le);
  }

  tag(pos: number, le: boolean): number {
    return ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
  }
}

/**
 * Parses the elements of `bytes[start, end)` (a whole data set, or an item's contents). `vrOf` gives the VR of
 * an implicit VR element where known (to recognise sequences of defined length).
 */
export function readElements(
  bytes: Uint8Array,
  coding: ElementCoding,
  path: string,
  vrOf: (tag: number) => string | undefined = () => undefined,
): DicomElement[] {
  const reader = new Reader(bytes, path);
  const [elements] = readRange(reader, 0, bytes.length, coding, vrOf, false);
  return elements;
}

function readRange(
  r: Reader,
  start: number,
  end: number,
  coding: ElementCoding,
  vrOf: (tag: number) => string | undefined,
  untilItemDelimiter: boolean,
): [DicomElement[], number] {
  const le = coding.littleEndian;
  const elements: DicomElement[] = [];
  let pos = start;
  while (pos < end) {
    r.need(pos, 8, 'an element header');
    const tag = r.tag(pos, le);
    if (tag === ITEM_DELIMITER) {
      if (!untilItemDelimiter) throw new MedattnDataError(r.path, `item delimiter outside an item at byte ${pos}`);
      return [elements, pos + 8];
    }
    let vr = '';
    let length: number;
    let valueStart: number;
    if (coding.explicitVr && tag >>> 16 !== 0xfffe) {
      vr = String.fromCharCode(r.bytes[pos + 4], r.bytes[pos + 5]);
      if (!/^[A-Z]{2}$/.test(vr))
        throw new MedattnDataError(r.path, `element ${tagText(tag)} has no valid VR at byte ${pos}`);
      if (LONG_VRS.has(vr)) {
        r.need(pos, 12, 'an element header');
        length = r.u32(pos + 8, le);
        valueStart = pos + 12;
      } else {
        length = r.u16(pos + 6, le);
        valueStart = pos + 8;
      }
    } else {
      length = r.u32(pos + 4, le);
      valueStart = pos + 8;
    }
    const element: DicomElement = { tag, vr, value: new Uint8Array(0) };
    if (tag === PIXEL_DATA && length === UNDEFINED) {
      const stop = encapsulatedEnd(r, valueStart, le);
      element.encapsulated = r.bytes.subarray(valueStart, stop);
      pos = stop;
    } else if (vr === 'SQ' || length === UNDEFINED || (vr === '' && isSequence(r, tag, valueStart, length, le, vrOf))) {
      // An explicit VR UN of undefined length holds an implicit VR little endian sequence (PS3.5 6.2.2).
      const itemCoding = vr === 'UN' ? { explicitVr: false, littleEndian: true } : coding;
      const [items, next] = readItems(r, valueStart, length, itemCoding, vrOf);
      element.items = items;
      pos = next;
    } else {
      r.need(valueStart, length, `the value of ${tagText(tag)}`);
      element.value = r.bytes.subarray(valueStart, valueStart + length);
      pos = valueStart + length;
    }
    elements.push(element);
  }
  if (untilItemDelimiter) throw new MedattnDataError(r.path, 'file is truncated: an item has no delimiter');
  return [elements, pos];
}

/** Implicit VR: a sequence of defined length is known by the dictionary, or by starting with an item tag. */
function isSequence(
  r: Reader,
  tag: number,
  valueStart: number,
  length: number,
  le: boolean,
  vrOf: (tag: number) => string | undefined,
): boolean {
  const known = vrOf(tag);
  if (known !== undefined) return known === 'SQ';
  if (length < 8 || valueStart + 8 > r.bytes.length) return false;
  return r.tag(valueStart, le) === ITEM;
}

function readItems(
  r: Reader,
  start: number,
  length: number,
  coding: ElementCoding,
  vrOf: (tag: number) => string | undefined,
): [DicomElement[][], number] {
  const le = coding.littleEndian;
  const end = length === UNDEFINED ? r.bytes.length : start + length;
  if (end > r.bytes.length) throw new MedattnDataError(r.path, `file is truncated inside a sequence at byte ${start}`);
  const items: DicomElement[][] = [];
  let pos = start;
  while (pos < end) {
    r.need(pos, 8, 'a sequence item');
    const tag = r.tag(pos, le);
    const itemLength = r.u32(pos + 4, le);
    if (tag === SEQUENCE_DELIMITER) return [items, pos + 8];
    if (tag !== ITEM)
      throw new MedattnDataError(r.path, `expected a sequence item at byte ${pos}, found ${tagText(tag)}`);
    if (itemLength === UNDEFINED) {
      const [elements, next] = readRange(r, pos + 8, end, coding, vrOf, true);
      items.push(elements);
      pos = next;
    } else {
      r.need(pos + 8, itemLength, 'a sequence item');
      const [elements] = readRange(r, pos + 8, pos + 8 + itemLength, coding, vrOf, false);
      items.push(elements);
      pos = pos + 8 + itemLength;
    }
  }
  if (length === UNDEFINED) throw new MedattnDataError(r.path, 'file is truncated: a sequence has no delimiter');
  return [items, pos];
}

/** Where encapsulated pixel data ends: just after its sequence delimiter. */
function encapsulatedEnd(r: Reader, start: number, le: boolean): number {
  let pos = start;
  for (;;) {
    r.need(pos, 8, 'encapsulated pixel data');
    const tag = r.tag(pos, le);
    const length = r.u32(pos + 4, le);
    if (tag === SEQUENCE_DELIMITER) return pos + 8;
    if (tag !== ITEM || length === UNDEFINED)
      throw new MedattnDataError(r.path, `bad fragment in encapsulated pixel data at byte ${pos}`);
    r.need(pos + 8, length, 'a pixel data fragment');
    pos += 8 + length;
  }
}

/** Serialises elements (in the order given: callers keep them sorted by tag) with `coding`. */
export function writeElements(elements: readonly DicomElement[], coding: ElementCoding): Uint8Array {
  const chunks: Uint8Array[] = [];
  writeInto(chunks, elements, coding);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function writeInto(chunks: Uint8Array[], elements: readonly DicomElement[], coding: ElementCoding): void {
  for (const el of elements) {
    if (el.encapsulated) {
      chunks.push(header(el.tag, 'OB', UNDEFINED, coding), el.encapsulated);
    } else if (el.items) {
      const unSequence = el.vr === 'UN';
      const itemCoding = unSequence ? { explicitVr: false, littleEndian: true } : coding;
      chunks.push(header(el.tag, unSequence ? 'UN' : 'SQ', UNDEFINED, coding));
      for (const item of el.items) {
        chunks.push(marker(ITEM, UNDEFINED, itemCoding.littleEndian));
        writeInto(chunks, item, itemCoding);
        chunks.push(marker(ITEM_DELIMITER, 0, itemCoding.littleEndian));
      }
      chunks.push(marker(SEQUENCE_DELIMITER, 0, itemCoding.littleEndian));
    } else {
      if (coding.explicitVr && !LONG_VRS.has(el.vr) && el.value.length > 0xffff)
        throw new RangeError(`value of ${tagText(el.tag)} is too long for VR ${el.vr}`);
      chunks.push(header(el.tag, el.vr || 'UN', el.value.length, coding), el.value);
    }
  }
}

function marker(tag: number, length: number, le: boolean): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint16(0, tag >>> 16, le);
  v.setUint16(2, tag & 0xffff, le);
  v.setUint32(4, length, le);
  return out;
}

function header(tag: number, vr: string, length: number, coding: ElementCoding): Uint8Array {
  const le = coding.littleEndian;
  if (!coding.explicitVr) return marker(tag, length, le);
  const long = LONG_VRS.has(vr);
  const out = new Uint8Array(long ? 12 : 8);
  const v = new DataView(out.buffer);
  v.setUint16(0, tag >>> 16, le);
  v.setUint16(2, tag & 0xffff, le);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, length, le);
  else v.setUint16(6, length, le);
  return out;
}
