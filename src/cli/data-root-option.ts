/** `--data-root DIR`: the same as MEDATTN_DATA=DIR for this run, checked to be a folder first. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './user-error.js';

export function useDataRoot(dir: unknown): void {
  if (typeof dir !== 'string') return;
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new UsageError(`--data-root ${dir}: no such folder`);
  process.env.MEDATTN_DATA = abs;
}
