/**
 * `medattn deid IN OUT`: de-identifies a file or every file under a folder, writing each one to the same
 * relative path and file name under OUT (atomically: a killed run leaves no half-written file). DICOM files
 * are recognised by content (the 'DICM' prefix, or a bare data set), NIfTI by name (.nii, .nii.gz) and only
 * written when `nifti` is asked for; anything else is not copied (it could identify someone) and is listed.
 * A file that cannot be de-identified safely (unreadable, BurnedInAnnotation YES, a DICOMDIR) is not written;
 * the others still are, and the run then fails naming the first such file.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { KeyedPseudonyms } from './keyed-pseudonyms.js';
import { deidentifyDicom } from './deidentify-dicom.js';
import { deidentifyNifti } from './deidentify-nifti.js';
import { DeidError } from './deid-error.js';
import { writeFileAtomic } from '../train/run-folder-files.js';
import { UserError } from '../user-error.js';

export interface DeidentifyTreeOptions {
  /** Secret key for UIDs, patient IDs and date shifts (same key -> same mapping across runs); default random. */
  key?: Uint8Array;
  dates?: 'shift' | 'remove';
  allowBurnedIn?: boolean;
  /** Also write NIfTI files with descrip/aux_file/intent_name and extensions cleared. */
  nifti?: boolean;
  /** Called once per input file with what happened to it. */
  onFile?: (report: FileReport) => void;
}

export interface FileReport {
  /** Path relative to IN ('' parts joined with '/'). */
  path: string;
  outcome: 'dicom' | 'nifti' | 'skipped' | 'refused';
  reason?: string;
}

export interface DeidSummary {
  dicom: number;
  nifti: number;
  skipped: FileReport[];
  refused: FileReport[];
}

export function deidentifyTree(input: string, output: string, options: DeidentifyTreeOptions = {}): DeidSummary {
  let inputStat;
  try {
    inputStat = statSync(input);
  } catch {
    throw new DeidError(input, 'no such file or folder');
  }
  const root = inputStat.isDirectory() ? input : dirname(input);
  const absIn = resolve(root);
  const absOut = resolve(output);
  if (absOut === absIn || absOut.startsWith(absIn + sep))
    throw new DeidError(output, 'OUT must not be IN or inside it (the input would be read back as it is written)');
  if (absIn.startsWith(absOut + sep)) throw new DeidError(output, 'OUT must not contain IN');
  const files = inputStat.isDirectory() ? listFiles(input) : [input];
  const pseudonyms = new KeyedPseudonyms(options.key);
  const summary: DeidSummary = { dicom: 0, nifti: 0, skipped: [], refused: [] };
  for (const file of files) {
    const rel = relative(root, file);
    const report = deidentifyOne(file, join(output, rel), rel.split(sep).join('/'), pseudonyms, options);
    if (report.outcome === 'dicom') summary.dicom++;
    else if (report.outcome === 'nifti') summary.nifti++;
    else (report.outcome === 'skipped' ? summary.skipped : summary.refused).push(report);
    options.onFile?.(report);
  }
  return summary;
}

function deidentifyOne(
  file: string,
  target: string,
  rel: string,
  pseudonyms: KeyedPseudonyms,
  options: DeidentifyTreeOptions,
): FileReport {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { path: rel, outcome: 'refused', reason: `cannot read (${(e as NodeJS.ErrnoException).code ?? e})` };
  }
  const isNifti = /\.nii(\.gz)?$/i.test(file);
  const isDicom = !isNifti && looksLikeDicom(bytes);
  if (!isDicom && !(isNifti && options.nifti))
    return {
      path: rel,
      outcome: 'skipped',
      reason: isNifti ? 'NIfTI (pass --nifti to clear its text fields and write it)' : 'not DICOM or NIfTI',
    };
  try {
    const out = isDicom
      ? deidentifyDicom(bytes, file, {
          pseudonyms,
          dates: options.dates,
          allowBurnedIn: options.allowBurnedIn,
        }).bytes
      : deidentifyNifti(bytes, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileAtomic(target, out);
    return { path: rel, outcome: isDicom ? 'dicom' : 'nifti' };
  } catch (e) {
    if (e instanceof UserError) return { path: rel, outcome: 'refused', reason: e.message };
    throw e;
  }
}

/** 'DICM' after the preamble, or a bare data set starting in group 0002 or 0008 (either VR form). */
function looksLikeDicom(bytes: Uint8Array): boolean {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d)
    return true;
  if (bytes.length < 8) return false;
  const groupLE = bytes[0] | (bytes[1] << 8);
  const groupBE = (bytes[0] << 8) | bytes[1];
  return groupLE === 0x0002 || groupLE === 0x0008 || groupBE === 0x0008;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
