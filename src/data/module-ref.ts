/**
 * User code by reference, for the loader's worker threads, which cannot receive functions: a module (path or
 * file URL) and the name of one of its exports. Used by the `module` dataset kind and by module pipelines.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ModuleRef {
  /** Absolute or cwd-relative path, or a file: URL. */
  module: string;
  /** Export to call (default `createDataset` for datasets, `createTransform` for pipelines). */
  export?: string;
  /** Passed to the factory (must be structured-cloneable). */
  options?: unknown;
}

/** Imports `ref.module` and returns its export `ref.export ?? fallback`; `fail` makes the error to throw. */
export async function importExport(
  ref: ModuleRef,
  fallback: string,
  fail: (reason: string) => Error,
): Promise<unknown> {
  const m = ref.module;
  const url = m.startsWith('file:') ? m : pathToFileURL(isAbsolute(m) ? m : resolve(m)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw Object.assign(fail(`cannot import module "${m}": ${(e as Error).message}`), { cause: e });
  }
  const name = ref.export ?? fallback;
  if (!(name in mod)) throw fail(`module "${m}" has no export "${name}" (exports: ${Object.keys(mod).join(', ')})`);
  return mod[name];
}
