/** `medattn deid IN OUT`: DICOM PS3.15 Basic Profile de-identification of a file or folder tree. */
import { readFileSync } from 'node:fs';
import { deidentifyTree } from '../../privacy/deidentify-tree.js';
import { DeidError } from '../../privacy/deid-error.js';

export interface DeidCommandOptions {
  keyFile?: string;
  dates?: string;
  allowBurnedIn?: boolean;
  nifti?: boolean;
  json?: boolean;
}

export async function deidCommand(input: string, output: string, o: DeidCommandOptions): Promise<void> {
  const dates = o.dates ?? 'shift';
  if (dates !== 'shift' && dates !== 'remove')
    throw new DeidError('--dates', `must be 'shift' or 'remove', got '${dates}'`);
  let key: Uint8Array | undefined;
  if (o.keyFile !== undefined) {
    try {
      key = readFileSync(o.keyFile);
    } catch (e) {
      throw new DeidError(o.keyFile, `cannot read the key file (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    if (key.length < 16)
      throw new DeidError(o.keyFile, `the key must be at least 16 bytes of secret, got ${key.length}`);
  }
  const summary = deidentifyTree(input, output, {
    key,
    dates,
    allowBurnedIn: o.allowBurnedIn,
    nifti: o.nifti,
    onFile: (r) => {
      if (!o.json && r.outcome === 'skipped') process.stderr.write(`deid: skipped ${r.path}: ${r.reason}\n`);
    },
  });
  if (o.json) console.log(JSON.stringify(summary));
  else
    console.log(
      `deid: ${summary.dicom} DICOM and ${summary.nifti} NIfTI files written to ${output}; ${summary.skipped.length} skipped, ${summary.refused.length} refused`,
    );
  if (summary.refused.length > 0) {
    const [first] = summary.refused;
    const more = summary.refused.length > 1 ? ` (and ${summary.refused.length - 1} more refused)` : '';
    throw new DeidError(first.path, `not written: ${first.reason}${more}`);
  }
}
