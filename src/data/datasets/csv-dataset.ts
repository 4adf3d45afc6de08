/**
 * A CSV manifest: one row per sample with an image path, optionally a label and a mask path; every other
 * column is kept as text in `extra` (patient age, site, fold...). Paths are relative to the CSV's folder, so
 * a manifest and its images move together.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { BadFiles } from './bad-files.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { parseCsv } from './csv-table.js';
import { checkSameSize, readMask, readSampleImage } from './read-sample-image.js';

export const csvSpecSchema = z.strictObject({
  kind: z.literal('csv'),
  file: z.string().min(1),
  pathColumn: z.string().min(1).default('path'),
  /** Integer class indices, or class names (then `classNames` gives their order; default alphabetical). */
  labelColumn: z.string().min(1).default('label'),
  maskColumn: z.string().min(1).default('mask'),
  /** Column giving sample ids (default: the image path as written). */
  idColumn: z.string().min(1).default('id'),
  classNames: z.array(z.string()).min(1).optional(),
  maskThreshold: z.number().optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  skipBad: z.boolean().optional(),
});
export type CsvSpec = z.input<typeof csvSpecSchema>;

interface Row {
  id: string;
  image: string;
  mask?: string;
  label?: number;
  extra: Record<string, string>;
}

export class CsvDataset implements Dataset {
  readonly length: number;

  private constructor(
    private readonly spec: z.output<typeof csvSpecSchema>,
    private readonly rows: Row[],
    readonly classNames: string[] | undefined,
    private readonly bad: BadFiles,
  ) {
    this.length = rows.length;
  }

  static async create(
    parsed: z.output<typeof csvSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<CsvDataset> {
    const file = resolve(options.baseDir, parsed.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new MedattnDataError(file, `cannot read manifest (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const { header, rows } = parseCsv(text, file);
    const col = (name: string) => header.indexOf(name);
    const pathCol = col(parsed.pathColumn);
    if (pathCol < 0)
      throw new MedattnDataError(file, `no '${parsed.pathColumn}' column (columns: ${header.join(', ')})`);
    const labelCol = col(parsed.labelColumn);
    const maskCol = col(parsed.maskColumn);
    const idCol = col(parsed.idColumn);
    const used = new Set([pathCol, labelCol, maskCol, idCol]);
    const base = dirname(file);

    // Labels: all integers → indices; otherwise names, mapped through classNames (default: sorted names).
    const rawLabels = labelCol < 0 ? [] : rows.map((r) => r.cells[labelCol].trim());
    const named = rawLabels.some((v) => v !== '' && !/^-?\d+$/.test(v));
    let classNames = parsed.classNames;
    if (named && !classNames) classNames = [...new Set(rawLabels.filter((v) => v !== ''))].sort();
    if (!named && !classNames && labelCol >= 0 && rawLabels.some((v) => v !== '')) {
      const k = Math.max(...rawLabels.filter((v) => v !== '').map(Number)) + 1;
      classNames = Array.from({ length: k }, (_, i) => `class ${i}`);
    }

    const bad = new BadFiles(options.skipBad);
    const out: Row[] = [];
    for (const [i, r] of rows.entries()) {
      const where = `listed in ${file} line ${r.line}`;
      const image = resolve(base, r.cells[pathCol].trim());
      const maskText = maskCol >= 0 ? r.cells[maskCol].trim() : '';
      const mask = maskText ? resolve(base, maskText) : undefined;
      let label: number | undefined;
      const raw = rawLabels[i] ?? '';
      if (raw !== '') {
        label = named ? classNames!.indexOf(raw) : Number(raw);
        if (label < 0 || label >= classNames!.length) {
          throw new MedattnDataError(
            file,
            `line ${r.line}: label '${raw}' is not one of ${named ? classNames!.join(', ') : `0..${classNames!.length - 1}`}`,
          );
        }
      }
      const missing = (await exists(image)) ? (mask && !(await exists(mask)) ? mask : undefined) : image;
      if (missing) {
        bad.reject(new MedattnDataError(missing, `file not found (${where})`));
        continue;
      }
      const extra: Record<string, string> = {};
      header.forEach((h, c) => {
        if (!used.has(c)) extra[h] = r.cells[c];
      });
      const id = idCol >= 0 && r.cells[idCol].trim() ? r.cells[idCol].trim() : r.cells[pathCol].trim();
      out.push({ id, image, ...(mask ? { mask } : {}), ...(label !== undefined ? { label } : {}), extra });
    }
    const spec = {
      ...parsed,
      file,
      ...(classNames && !parsed.classNames && named ? { classNames } : {}),
      ...(options.skipBad ? { skipBad: true } : {}),
    };
    return new CsvDataset(spec, out, classNames, bad);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'csv dataset');
    const r = this.rows[index];
    return this.bad.read(async () => {
      const [image, mask] = await Promise.all([
        readSampleImage(r.image, this.spec.channels),
        r.mask ? readMask(r.mask, { threshold: this.spec.maskThreshold }) : undefined,
      ]);
      if (mask) checkSameSize(image, r.image, mask, r.mask!);
      const sample: DatasetSample = { id: r.id, image, extra: { ...r.extra } };
      if (mask) sample.mask = mask;
      if (r.label !== undefined) sample.label = r.label;
      return sample;
    });
  }

  /** Labels of every row; -1 marks a row without a label. Undefined when the manifest has no labels. */
  labels(): Int32Array | undefined {
    if (!this.classNames) return undefined;
    return Int32Array.from(this.rows, (r) => r.label ?? -1);
  }

  ids(): string[] {
    return this.rows.map((r) => r.id);
  }

  describe(): CsvSpec {
    return structuredClone(this.spec);
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
