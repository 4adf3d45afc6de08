/**
 * Encapsulated Pixel Data (PS3.5 A.4): a Basic Offset Table item, then one item per fragment, closed by a
 * Sequence Delimitation Item. Read by item lengths (never by scanning for delimiter bytes, which can occur
 * inside a codestream), bounded by the file size so a corrupted length cannot run away.
 */
import { MedattnDataError } from '../errors.js';

export interface Fragment {
  /** Offset of the item from the first fragment item (what the Basic Offset Table counts). */
  offset: number;
  /** Offset of the fragment's data in the data set's byte array. */
  position: number;
  length: number;
}

export interface Encapsulated {
  basicOffsetTable: number[];
  fragments: Fragment[];
}

/** Items are always little endian (explicit big endian has no encapsulated syntaxes). */
export function readEncapsulated(bytes: Uint8Array, start: number, path: string): Encapsulated {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (reason: string): never => {
    throw new MedattnDataError(path, `encapsulated pixel data: ${reason}`);
  };
  let p = start;
  const readItem = (): { tag: number; length: number; position: number } | undefined => {
    if (p + 8 > bytes.length) return undefined;
    const group = view.getUint16(p, true);
    const element = view.getUint16(p + 2, true);
    const length = view.getUint32(p + 4, true);
    const position = p + 8;
    if (group !== 0xfffe) fail(`expected an item tag at byte ${p}, found (${hex(group)},${hex(element)})`);
    return { tag: element, length, position };
  };
  const bot = readItem() ?? fail('missing Basic Offset Table item (truncated)');
  if (bot.tag !== 0xe000) fail('first item is not the Basic Offset Table');
  if (bot.length % 4 !== 0 || bot.position + bot.length > bytes.length) fail('invalid Basic Offset Table length');
  const basicOffsetTable: number[] = [];
  for (let i = 0; i < bot.length; i += 4) basicOffsetTable.push(view.getUint32(bot.position + i, true));
  p = bot.position + bot.length;
  const first = p;
  const fragments: Fragment[] = [];
  let closed = false;
  while (p + 8 <= bytes.length) {
    const item = readItem()!;
    if (item.tag === 0xe0dd) {
      closed = true;
      break;
    }
    if (item.tag !== 0xe000) fail(`unexpected item (FFFE,${hex(item.tag)})`);
    if (item.length === 0xffffffff) fail('fragment with undefined length');
    if (item.position + item.length > bytes.length) fail('fragment runs past the end of the file (truncated)');
    fragments.push({ offset: p - first, position: item.position, length: item.length });
    p = item.position + item.length;
  }
  if (!closed) fail('no Sequence Delimitation Item (truncated)');
  return { basicOffsetTable, fragments };
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
