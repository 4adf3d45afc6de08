/**
 * `table`: a CSV of clinical indicators, one patient per row, a label column by name.
 *
 *   { kind: 'table', file: 'pima.csv', label: 'diabetes' }
 *   { kind: 'table', file: 'ckd.csv', label: 'Class', positive: 'ckd', categorical: ['Appetite'], missing: ['', '?'] }
 *
 * Each sample's `image` is a float32 [2, F] array: row 0 the raw values (numbers as written, categories as
 * their code in the column's vocabulary), row 1 the missing indicator (1 where the cell was missing; the value
 * there is 0 and means nothing). Scaling is not done here: the tabular models fit it on the training fold and
 * keep it with their weights, so `predict` applies exactly what training fitted.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { BadFiles } from './bad-files.js';
import { parseCsv } from './csv-table.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import {
  DEFAULT_MISSING,
  detectColumn,
  labelClasses,
  parseNumber,
  type TableColumn,
  type TableSchema,
} from './table-schema.js';

const columnSchema = z.strictObject({
  name: z.string(),
  type: z.enum(['numeric', 'categorical']),
  categories: z.array(z.string()).optional(),
});

export const tableSpecSchema = z.strictObject({
  kind: z.literal('table'),
  file: z.string().min(1),
  /** The label column's name. */
  label: z.string().min(1),
  /** Feature columns, in this order (default: every column but the label and `id`). */
  columns: z.array(z.string().min(1)).min(1).optional(),
  /** Columns read as categories even when their values are numbers (codes). */
  categorical: z.array(z.string().min(1)).optional(),
  /** Columns that must be numbers: text in them is an error naming line and column. */
  numeric: z.array(z.string().min(1)).optional(),
  /** Cells meaning "missing" (default: empty, NA, N/A, NaN, nan, ?, null, NULL). */
  missing: z.array(z.string()).optional(),
  /** The positive class's label value (default: the larger of two values). Others become its negative class. */
  positive: z.union([z.string(), z.number()]).optional(),
  /** Column with patient ids (default: `id` when present, else the row's line number). */
  idColumn: z.string().min(1).optional(),
  /** The columns and classes of a trained model: read the file with its vocabularies and class order. */
  schema: z.strictObject({ columns: z.array(columnSchema).min(1), classNames: z.array(z.string()).min(1) }).optional(),
  skipBad: z.boolean().optional(),
});
export type TableSpec = z.input<typeof tableSpecSchema>;
type ParsedTableSpec = z.output<typeof tableSpecSchema>;

/** One patient as cells by column name (a CSV row or a JSON object), turned into the model's [2, F] input. */
export function encodePatient(
  cells: (column: string) => string | undefined,
  schema: TableSchema,
  missing: readonly string[] = DEFAULT_MISSING,
  where: (column: string) => string = (c) => `column '${c}'`,
): Float32Array {
  const f = schema.columns.length;
  const out = new Float32Array(2 * f);
  const isMissing = new Set(missing.map((m) => m.trim()));
  schema.columns.forEach((col, j) => {
    const raw = cells(col.name);
    const cell = raw === undefined ? '' : raw.trim();
    if (isMissing.has(cell)) {
      out[f + j] = 1;
      return;
    }
    if (col.type === 'numeric') {
      const v = parseNumber(cell);
      if (v === undefined) throw new TableCellError(`${where(col.name)}: '${cell}' is not a number`);
      out[j] = v;
    } else {
      const code = col.categories!.indexOf(cell);
      // A category training never saw carries no information the model learned: treated as missing.
      if (code < 0) out[f + j] = 1;
      else out[j] = code;
    }
  });
  return out;
}

/** A cell that cannot be read (the caller adds the file, line and column). */
class TableCellError extends Error {}

function sameLabel(value: string, positive: string): boolean {
  if (value === positive) return true;
  const a = parseNumber(value);
  const b = parseNumber(positive);
  return a !== undefined && a === b;
}

export class TableDataset implements Dataset {
  readonly length: number;
  readonly classNames: string[];

  private constructor(
    private readonly spec: ParsedTableSpec & { file: string },
    readonly schema: TableSchema,
    private readonly inputs: Float32Array[],
    private readonly labelIndex: Int32Array,
    private readonly rowIds: string[],
    private readonly bad: BadFiles,
  ) {
    this.length = inputs.length;
    this.classNames = schema.classNames;
  }

  static async create(parsed: ParsedTableSpec, options: { baseDir: string; skipBad: boolean }): Promise<TableDataset> {
    const file = resolve(options.baseDir, parsed.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new MedattnDataError(file, `cannot read table (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const bad = new BadFiles(options.skipBad);
    const { header, rows: allRows } = parseCsv(text, file, { allowRagged: true });
    const colOf = (name: string, option: string) => {
      const i = header.indexOf(name);
      if (i < 0)
        throw new MedattnDataError(file, `${option} column '${name}' not found (columns: ${header.join(', ')})`);
      return i;
    };
    const labelCol = colOf(parsed.label, 'label');
    const idName = parsed.idColumn ?? (header.includes('id') && parsed.label !== 'id' ? 'id' : undefined);
    const idCol = idName === undefined ? -1 : colOf(idName, 'idColumn');
    const missing = new Set((parsed.missing ?? DEFAULT_MISSING).map((m) => m.trim()));
    const where = (line: number, col: number) => `line ${line}, column ${col + 1} ('${header[col]}')`;
    const reject = (message: string) => bad.reject(new MedattnDataError(file, message));

    // Ragged rows and rows without a label cannot be read at all.
    let rows = allRows.filter((r) => {
      if (r.cells.length !== header.length) {
        reject(`line ${r.line}: ${r.cells.length} fields, the header has ${header.length}`);
        return false;
      }
      if (missing.has(r.cells[labelCol].trim())) {
        reject(`${where(r.line, labelCol)}: missing label`);
        return false;
      }
      return true;
    });

    const featureNames =
      parsed.schema?.columns.map((c) => c.name) ??
      parsed.columns ??
      header.filter((h, i) => i !== labelCol && i !== idCol);
    const featureCols = featureNames.map((n) => colOf(n, 'feature'));
    for (const n of [...(parsed.categorical ?? []), ...(parsed.numeric ?? [])]) colOf(n, 'declared');
    const cellsOf = (r: { cells: string[] }, col: number) => {
      const c = r.cells[col].trim();
      return missing.has(c) ? '' : c;
    };

    let columns: TableColumn[];
    if (parsed.schema) columns = parsed.schema.columns;
    else {
      columns = [];
      const badRows = new Set<number>();
      featureCols.forEach((col, j) => {
        const name = featureNames[j];
        const declared = parsed.categorical?.includes(name)
          ? 'categorical'
          : parsed.numeric?.includes(name)
            ? 'numeric'
            : undefined;
        const { column, badCells } = detectColumn(
          name,
          rows.map((r) => cellsOf(r, col)),
          declared,
        );
        for (const i of badCells) {
          reject(`${where(rows[i].line, col)}: non-numeric text '${rows[i].cells[col].trim()}' in a numeric column`);
          badRows.add(i);
        }
        columns.push(column);
      });
      rows = rows.filter((_, i) => !badRows.has(i));
      // Vocabularies come from the rows kept (a skipped row's text is not a category).
      columns = columns.map((c, j) =>
        c.type === 'categorical'
          ? detectColumn(
              c.name,
              rows.map((r) => cellsOf(r, featureCols[j])),
              'categorical',
            ).column
          : c,
      );
    }

    const positive = parsed.positive === undefined ? undefined : String(parsed.positive).trim();
    const labels = rows.map((r) => r.cells[labelCol].trim());
    let classNames: string[];
    if (parsed.schema) classNames = parsed.schema.classNames;
    else {
      if (positive !== undefined && !labels.some((v) => sameLabel(v, positive)))
        throw new MedattnDataError(file, `positive class '${positive}' never occurs in label column '${parsed.label}'`);
      const matched = positive === undefined ? undefined : labels.find((v) => sameLabel(v, positive));
      classNames = labelClasses(labels, matched);
      if (classNames.length < 2 || classNames[0] === '')
        throw new MedattnDataError(
          file,
          `label column '${parsed.label}' has one class ('${classNames[classNames.length - 1] ?? ''}'); a classifier needs two or more`,
        );
    }
    const schema: TableSchema = { columns, classNames };
    // Binary "positive vs the rest": every other label value is the negative class.
    const oneVsRest = classNames.length === 2 && (positive !== undefined || classNames[0].includes('|'));

    const inputs: Float32Array[] = [];
    const labelIndex: number[] = [];
    const rowIds: string[] = [];
    const missingList = [...missing];
    for (const r of rows) {
      const label = r.cells[labelCol].trim();
      const y = oneVsRest ? Number(sameLabel(label, classNames[1])) : classNames.findIndex((c) => sameLabel(label, c));
      if (y < 0) {
        reject(`${where(r.line, labelCol)}: label '${label}' is not one of ${classNames.join(', ')}`);
        continue;
      }
      try {
        inputs.push(
          encodePatient(
            (name) => r.cells[featureCols[featureNames.indexOf(name)]],
            schema,
            missingList,
            (name) => where(r.line, featureCols[featureNames.indexOf(name)]),
          ),
        );
      } catch (e) {
        if (!(e instanceof TableCellError)) throw e;
        reject(e.message);
        continue;
      }
      labelIndex.push(y);
      rowIds.push(idCol >= 0 ? r.cells[idCol].trim() : `line ${r.line}`);
    }
    if (inputs.length === 0) throw new MedattnDataError(file, 'no readable patient rows');
    return new TableDataset({ ...parsed, file }, schema, inputs, Int32Array.from(labelIndex), rowIds, bad);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'TableDataset');
    const f = this.schema.columns.length;
    return {
      id: this.rowIds[index],
      image: { data: this.inputs[index].slice(), shape: [2, f] },
      label: this.labelIndex[index],
    };
  }

  labels(): Int32Array {
    return this.labelIndex.slice();
  }

  ids(): string[] {
    return [...this.rowIds];
  }

  describe(): TableSpec {
    return { ...this.spec };
  }

  skipped(): SkippedFile[] {
    return this.bad.entries();
  }
}
