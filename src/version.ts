/**
 * medattn's version (package.json) and the rule for reading what another version wrote. Run folders record
 * the version that trained them (model.json `medattnVersion`); a run is read only by a medattn of the same
 * major.minor, since layer names, weight layouts and config defaults may change between minor versions (and
 * do in 0.x). Patch versions only fix bugs and read each other's runs.
 *
 * On the ground floor (imports only node:) so the CLI, trainer and exporter can all use it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './user-error.js';

const packageJson = resolve(dirname(fileURLToPath(import.meta.url)), '../package.json');
export const medattnVersion = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

/** A file written by a medattn version this one does not read. */
export class VersionMismatchError extends UserError {}

/** major.minor of a semver string, or undefined when it is not one. */
function majorMinor(version: string): string | undefined {
  return /^(\d+)\.(\d+)\.\d+(?:[-+].*)?$/.exec(version)?.slice(1, 3).join('.');
}

/**
 * Throws a one-line VersionMismatchError naming `file` and both versions when `written` (the version recorded in
 * the file) differs from this medattn in major or minor (or is not a version). `undefined` (a file from before
 * versions were recorded) is accepted: its weights are still checked name by name and shape by shape on load.
 */
export function checkVersionCompatible(file: string, written: unknown, current = medattnVersion): void {
  if (written === undefined) return;
  const ours = majorMinor(current);
  if (typeof written !== 'string' || majorMinor(written) === undefined || majorMinor(written) !== ours)
    throw new VersionMismatchError(
      `${file}: written by medattn ${typeof written === 'string' ? written : JSON.stringify(written)}, this is medattn ${current}; runs are read by the same major.minor version (${ours}.x): retrain, or use medattn ${typeof written === 'string' ? written : 'of that version'}`,
    );
}
