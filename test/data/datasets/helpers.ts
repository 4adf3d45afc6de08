// Paths and the Python (numpy/PIL/nibabel) reference runner of the dataset tests (../shared/data paths come
// from test/helpers/shared-data.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEMPLATES = '/usr/share/mricron/templates';

/** Runs a Python snippet with Debian's numpy/PIL/nibabel; the snippet prints one JSON value. */
export function python<T>(code: string): T {
  const out = execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as T;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `medattn-${prefix}-`));
}

export function sum(data: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
}

/** Asserts a one-line message (the CLI prints it as is). */
export function oneLine(e: unknown): string {
  const message = (e as Error).message;
  if (/\n/.test(message)) throw new Error(`error message spans lines: ${message}`);
  return message;
}
