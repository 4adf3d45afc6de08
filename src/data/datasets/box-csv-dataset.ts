/**
 * Detection boxes from a CSV manifest (`kind: 'boxCsv'`): one row per box with the image path, the corners
 * and the class name; the rows of an image need not be adjacent. The CSV has no image size, so each image's
 * header is read at creation (not its pixels) and every box is checked against it, as for `voc`.
 *
 *   image,xmin,ymin,xmax,ymax,class
 *   BloodImage_00000.jpg,260,177,491,376,WBC
 *
 * A row with an image path and empty box fields says the image has no boxes: such an image counts as an
 * image without annotation (an error, or a listed skip with skipBad), as a VOC image without XML does.
 * Paths are relative to `images` (default: the CSV's folder); a sample's id is its path as written, without
 * the extension.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import sharp from 'sharp';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { detectFormat } from '../io/read-image.js';
import { BadFiles } from './bad-files.js';
import { checkBox, type BoxObject } from './box-annotation.js';
import { BoxDataset, keepKnownClasses, type BoxCase } from './box-dataset.js';
import { parseCsv } from './csv-table.js';
import { readSampleImage } from './read-sample-image.js';

const COLUMNS = ['image', 'xmin', 'ymin', 'xmax', 'ymax', 'class'] as const;
type Column = (typeof COLUMNS)[number];

export const boxCsvSpecSchema = z.strictObject({
  kind: z.literal('boxCsv'),
  /** The CSV file, one row per box. */
  file: z.string().min(1),
  /** Folder the image paths are relative to; default the CSV's folder. */
  images: z.string().min(1).optional(),
  /** Column names when they differ from image, xmin, ymin, xmax, ymax, class. */
  columns: z.strictObject(Object.fromEntries(COLUMNS.map((c) => [c, z.string().min(1).optional()]))).optional(),
  /** Class names in label order; default: the names found, sorted. */
  classes: z.array(z.string().min(1)).min(1).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  skipBad: z.boolean().optional(),
  preload: z.boolean().optional(),
});
export type BoxCsvSpec = z.input<typeof boxCsvSpecSchema>;

const RASTER = new Set(['png', 'jpeg', 'tiff', 'gif', 'webp']);

/** [width, height] of an image file: from the header for raster files, else by decoding it. */
async function imageSize(path: string): Promise<[number, number]> {
  if (RASTER.has(await detectFormat(path))) {
    const meta = await sharp(path)
      .metadata()
      .catch((e: unknown) => {
        throw new MedattnDataError(path, `not a readable image (${e instanceof Error ? e.message : String(e)})`);
      });
    if (meta.width && meta.height) return [meta.width, meta.height];
  }
  const shape = (await readSampleImage(path)).shape;
  return [shape[shape.length - 1], shape[shape.length - 2]];
}

export class BoxCsvDataset extends BoxDataset<z.output<typeof boxCsvSpecSchema>> {
  static async create(
    parsed: z.output<typeof boxCsvSpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<BoxCsvDataset> {
    const file = resolve(options.baseDir, parsed.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new MedattnDataError(file, `cannot read box CSV (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const { header, rows } = parseCsv(text, file);
    const col = {} as Record<Column, number>;
    for (const c of COLUMNS) {
      const name = parsed.columns?.[c] ?? c;
      col[c] = header.indexOf(name);
      if (col[c] < 0) throw new MedattnDataError(file, `no '${name}' column (columns: ${header.join(', ')})`);
    }
    const base = parsed.images ? resolve(options.baseDir, parsed.images) : dirname(file);
    // Rows grouped by image, in order of first appearance.
    const byImage = new Map<string, Array<{ line: number; cells: string[] }>>();
    for (const r of rows) {
      const path = r.cells[col.image].trim();
      if (!path) throw new MedattnDataError(file, `line ${r.line}: empty image path`);
      byImage.set(path, [...(byImage.get(path) ?? []), r]);
    }
    const bad = new BadFiles(options.skipBad);
    const cases: BoxCase[] = [];
    for (const [path, imageRows] of byImage) {
      const image = resolve(base, path);
      try {
        cases.push(await readCase(file, path, image, imageRows, col));
      } catch (e) {
        if (!(e instanceof MedattnDataError)) throw e;
        bad.reject(e);
      }
    }
    const known = keepKnownClasses(cases, parsed.classes, bad);
    const spec = {
      ...parsed,
      file,
      ...(parsed.images ? { images: base } : {}),
      ...(options.skipBad ? { skipBad: true } : {}),
    };
    return new BoxCsvDataset(spec, known.cases, known.classNames, bad);
  }
}

async function readCase(
  file: string,
  path: string,
  image: string,
  rows: Array<{ line: number; cells: string[] }>,
  col: Record<Column, number>,
): Promise<BoxCase> {
  if (!existsSync(image)) throw new MedattnDataError(image, `image not found (listed in ${file} line ${rows[0].line})`);
  const boxRows = rows.filter((r) => COLUMNS.slice(1, 5).some((c) => r.cells[col[c]].trim() !== ''));
  if (boxRows.length === 0) throw new MedattnDataError(image, `image without annotation (no box in ${file})`);
  const [width, height] = await imageSize(image);
  const objects: BoxObject[] = [];
  let dropped = 0;
  for (const r of boxRows) {
    const name = r.cells[col.class].trim();
    const where = `line ${r.line}${name ? ` (${name})` : ''}`;
    if (!name) throw new MedattnDataError(file, `${where}: empty class`);
    const box = (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((c) => {
      const t = r.cells[col[c]].trim();
      const v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v)) throw new MedattnDataError(file, `${where}: ${c} '${t}' is not a number`);
      return v;
    }) as [number, number, number, number];
    if (checkBox(box, width, height, file, `${where} ${path}`)) objects.push({ name, box, difficult: false });
    else dropped++;
  }
  return { id: path.replace(/\.[^./\\]+$/, ''), image, annotation: { file, width, height, objects, dropped } };
}
