/**
 * NumPy `.npz` archives (np.savez / np.savez_compressed): a zip of `.npy` members, stored or deflated
 * (inflated with fflate, CRC-checked). MedMNIST ships its datasets this way.
 */
import { readFile } from 'node:fs/promises';
import { MedattnDataError } from './errors.js';
import { parseNpy, type NpyArray } from './npy.js';
import { extractZipMember, listZipMembers } from './zip-archive.js';

export interface ReadNpzOptions {
  /** Only unpack these arrays (names without `.npy`); the others are not inflated. */
  keys?: string[];
}

export async function readNpz(path: string, options: ReadNpzOptions = {}): Promise<Map<string, NpyArray>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new MedattnDataError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseNpz(bytes, path, options);
}

/** Array names in an archive without inflating anything. */
export function listNpz(bytes: Uint8Array, file = '<npz>'): string[] {
  return listZipMembers(bytes, file)
    .map((m) => m.name)
    .filter((n) => n.endsWith('.npy'))
    .map((n) => n.slice(0, -4));
}

export function parseNpz(bytes: Uint8Array, file = '<npz>', options: ReadNpzOptions = {}): Map<string, NpyArray> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new MedattnDataError(file, 'not a NumPy .npz file (no zip signature)');
  }
  const members = listZipMembers(bytes, file).filter((m) => m.name.endsWith('.npy'));
  const names = members.map((m) => m.name.slice(0, -4));
  for (const key of options.keys ?? []) {
    if (!names.includes(key))
      throw new MedattnDataError(file, `no array named '${key}' (has: ${names.join(', ') || 'none'})`);
  }
  const out = new Map<string, NpyArray>();
  for (const member of members) {
    const name = member.name.slice(0, -4);
    if (options.keys && !options.keys.includes(name)) continue;
    out.set(name, parseNpy(extractZipMember(bytes, member, file), `${file}/${member.name}`));
  }
  return out;
}
