/**
 * A minimal zip reader for `.npz`: walks the central directory (zip64 included, as numpy writes it for big
 * arrays), inflates members with fflate and checks every member's CRC-32, so a corrupted archive is an error
 * instead of silently wrong numbers.
 */
import { inflateSync } from 'fflate';
import { MedattnDataError, describeThrown } from './errors.js';

export interface ZipMember {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

export function listZipMembers(bytes: Uint8Array, file: string): ZipMember[] {
  const fail = (reason: string): never => {
    throw new MedattnDataError(file, reason);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22..65557 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('corrupted zip archive: end of central directory not found (truncated?)');
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) fail('corrupted zip64 archive: locator missing');
    const z64 = Number(view.getBigUint64(locator + 8, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) fail('corrupted zip64 end record');
    count = Number(view.getBigUint64(z64 + 32, true));
    cdOffset = Number(view.getBigUint64(z64 + 48, true));
  }
  const members: ZipMember[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) fail('corrupted zip central directory');
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > bytes.length) fail('corrupted zip central directory');
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (id 1) holds, in order, whichever of the three values overflowed.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(view.getBigUint64(q, true));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(view.getBigUint64(q, true));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(view.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    members.push({ name, method, compressedSize, size, crc, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return members;
}

export function extractZipMember(bytes: Uint8Array, member: ZipMember, file: string): Uint8Array {
  const fail = (reason: string): never => {
    throw new MedattnDataError(file, `zip member '${member.name}': ${reason}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = member.localHeaderOffset;
  if (h + 30 > bytes.length || view.getUint32(h, true) !== 0x04034b50) fail('local header missing (corrupted archive)');
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  if (start + member.compressedSize > bytes.length) fail('data truncated');
  const raw = bytes.subarray(start, start + member.compressedSize);
  // The declared size is checked before anything is allocated for it: stored members are their bytes, and
  // deflate cannot expand more than 1032:1 (258-byte matches coded in 2 bits).
  if (member.method === 0 && member.size !== member.compressedSize) {
    fail(`recorded size ${member.size} differs from the ${member.compressedSize} bytes stored`);
  }
  if (member.method === 8 && member.size > member.compressedSize * 1032 + 64) {
    fail(
      `recorded size ${member.size} is more than deflate can expand ${member.compressedSize} bytes to (corrupted archive)`,
    );
  }
  let out: Uint8Array;
  if (member.method === 0) out = raw;
  else if (member.method === 8) {
    try {
      out = inflateSync(raw, { out: new Uint8Array(member.size) });
    } catch (e) {
      return fail(`deflate data corrupted (${describeThrown(e)})`);
    }
  } else return fail(`unsupported compression method ${member.method}`);
  if (out.length !== member.size) fail(`size ${out.length} differs from the recorded ${member.size}`);
  if (crc32(out) !== member.crc) fail('CRC-32 mismatch (corrupted data)');
  return out;
}

let crcTable: Uint32Array | undefined;

export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
