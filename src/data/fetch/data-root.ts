/**
 * The data root: where configs find data sets and where `medattn data fetch` puts them. `--data-root DIR` on the
 * command line, else the MEDATTN_DATA environment variable, else `../shared/data` beside the package root when that
 * folder exists (the development layout), else the user's data folder (`$XDG_DATA_HOME/medattn`, by default
 * `~/.local/share/medattn`), so an installed package never writes beside node_modules. A config names a path under it as `{dataRoot}/pneumoniamnist/pneumoniamnist.npz`, so the
 * same config runs on any machine's copy; a path without the prefix stays relative to the config file.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG, MANUAL } from './catalog.js';

export const DATA_ROOT_PREFIX = '{dataRoot}';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `../shared/data` beside the package root: the development layout. */
export const SHARED_DATA_ROOT = resolve(packageRoot, '../shared/data');

/** The user's own data folder, used when there is no `../shared/data`: `$XDG_DATA_HOME/medattn`. */
export function userDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share'), 'medattn');
}

/** The data root when MEDATTN_DATA is not set. */
export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return existsSync(SHARED_DATA_ROOT) ? SHARED_DATA_ROOT : userDataRoot(env);
}

/** The data root in effect: MEDATTN_DATA (resolved against the working directory) or the default. */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MEDATTN_DATA?.trim();
  return fromEnv ? resolve(fromEnv) : defaultDataRoot(env);
}

/** True when `path` names a place under the data root (`{dataRoot}` or `{dataRoot}/...`). */
export function isDataRootPath(path: string): boolean {
  return path === DATA_ROOT_PREFIX || path.startsWith(`${DATA_ROOT_PREFIX}/`);
}

/**
 * An absolute path: `{dataRoot}/x` under `root`, an absolute path as it is, anything else relative to `baseDir`.
 */
export function resolveDataPath(path: string, baseDir: string, root: string = dataRoot()): string {
  if (isDataRootPath(path)) return resolve(root, `.${path.slice(DATA_ROOT_PREFIX.length)}`);
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * What to tell a user whose `{dataRoot}/...` path is missing: the data root in effect and how to fill it, e.g.
 * ` (data root /data: give --data-root DIR or MEDATTN_DATA, or run medattn data fetch pneumoniamnist)`.
 */
export function dataRootHint(path: string, root: string = dataRoot()): string {
  const folder = path.slice(DATA_ROOT_PREFIX.length + 1).split('/')[0];
  const fetchable = CATALOG.find((e) => e.folder === folder);
  const manual = MANUAL.find((e) => e.folder === folder);
  const get = fetchable
    ? `run medattn data fetch ${fetchable.name}`
    : manual
      ? `${manual.name}: ${manual.howTo}`
      : 'medattn data list says where to get it';
  return ` (data root ${root}: give --data-root DIR or MEDATTN_DATA, or ${get})`;
}
