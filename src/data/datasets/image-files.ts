/**
 * Which files in a folder are images. Folder and pair datasets list folders once at creation; anything
 * that is not an image by extension (thumbnails' Thumbs.db, .txt notes, hidden files) is ignored, the way
 * Keras' flow_from_directory ignores it.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MedattnDataError } from '../io/errors.js';

/** Extensions read by `readImage` (lower case, without the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  'png',
  'jpg',
  'jpeg',
  'tif',
  'tiff',
  'gif',
  'webp',
  'bmp',
  'dcm',
  'dicom',
  'nii',
  'nii.gz',
  'npy',
];

export function hasImageExtension(name: string, extensions: readonly string[] = IMAGE_EXTENSIONS): boolean {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && extensions.some((e) => lower.endsWith(`.${e.replace(/^\./, '').toLowerCase()}`));
}

/** The file name without its image extension (`a.nii.gz` → `a`). */
export function stemOf(name: string): string {
  return name.replace(/\.nii\.gz$/i, '').replace(/\.[^.]*$/, '');
}

/** Natural order, so `2.png` comes before `10.png` and case ids run 0, 1, ..., 29. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Sub-folders of `dir`, naturally sorted. */
export async function listFolders(dir: string): Promise<string[]> {
  const entries = await readDir(dir);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(naturalCompare);
}

/** Image files in `dir` (names relative to `dir`), naturally sorted; `recursive` walks sub-folders too. */
export async function listImageFiles(
  dir: string,
  options: { recursive?: boolean; extensions?: readonly string[] } = {},
): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readDir(join(dir, rel))) {
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) {
        if (options.recursive) await walk(name);
      } else if (hasImageExtension(e.name, options.extensions)) out.push(name);
    }
  };
  await walk('');
  return out.sort(naturalCompare);
}

/** Throws a one-line error naming `path` unless it is an existing folder. */
export async function requireFolder(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new MedattnDataError(path, `${what} not found (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!info.isDirectory()) throw new MedattnDataError(path, `${what} is not a folder`);
}

/** Throws a one-line error naming `path` unless it is an existing file. */
export async function requireFile(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new MedattnDataError(path, `${what} not found (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!info.isFile()) throw new MedattnDataError(path, `${what} is not a file`);
}

async function readDir(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new MedattnDataError(dir, `cannot list folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
