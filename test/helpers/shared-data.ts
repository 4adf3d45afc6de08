// Where the tests find the real data sets of ../shared/data, and what happens when they are not there.
// A fresh clone without ../shared skips the tests that need a data set, printing why; under CI=true (the
// project's CI, which always has ../shared beside the clone) a missing data set is a failure instead, so CI
// cannot pass by skipping.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared/data` beside the repository (it may be absent). */
export const SHARED_DATA = resolve(repoRoot, '../shared/data');

/** A path under ../shared/data, e.g. `dataPath('pneumoniamnist', 'pneumoniamnist.npz')`. */
export function dataPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/**
 * Options for node:test's `test()`/`describe()` of a test that reads `../shared/data/<parts...>`:
 * `{ skip: false }` when the path exists, `{ skip: '<reason>' }` when it does not. With CI=true a missing
 * path throws instead, so the test file fails with the reason.
 */
export function needsData(...parts: string[]): { skip: string | false } {
  const path = dataPath(...parts);
  if (existsSync(path)) return { skip: false };
  const reason = `needs ${join('../shared/data', ...parts)} (not found beside this clone)`;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${reason}`);
  return { skip: reason };
}

/** True when `../shared/data/<parts...>` exists (for code that must not even load a missing data set). */
export function hasData(...parts: string[]): boolean {
  return existsSync(dataPath(...parts));
}
