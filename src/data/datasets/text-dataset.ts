/**
 * Labelled clinical text from a CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks) or a
 * JSONL file (one JSON object per line): one note per row, its class in `labelColumn`.
 *
 *   { kind: 'text', file: 'mtsamples.csv', textColumn: 'transcription', labelColumn: 'medical_specialty',
 *     labels: ['Urology', 'Neurology'], dedupe: true, split: 'train', folds: 5, fold: 0 }
 *
 * `labels` keeps only those classes (in that order: it is the class list); `ids` keeps only those rows.
 * `dedupe` keeps one row per note text (whitespace-normalised): a text filed under two kept classes is
 * ambiguous and left out. `split` then takes the training or validation part of fold `fold` of a stratified
 * k-fold (splits.ts) over the deduplicated rows, so no note text is on both sides and train/val specs that
 * differ only in `split` never overlap.
 *
 * Bad input is a one-line error naming the file and line: a missing column, an empty note, bytes that are
 * not UTF-8. A note longer than `maxChars` keeps its first and last maxChars/2 characters (stated in
 * `truncated()`), which bounds tokenizer time; the tokenizer's own head+tail cut to maxTokens comes after.
 *
 * Samples carry the note as `text`; `image` holds its UTF-8 bytes as [1, bytes] so tools that only look at
 * `image` (inspect, data summaries) still see something of the right size.
 */
import { readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from './dataset.js';
import { parseCsv } from './csv-table.js';
import { kFold } from './splits.js';

export const textSpecSchema = z.strictObject({
  kind: z.literal('text'),
  file: z.string().min(1),
  textColumn: z.string().min(1).default('text'),
  labelColumn: z.string().min(1).default('label'),
  /** Column with row ids (default `<file name>:<row number>`). */
  idColumn: z.string().min(1).optional(),
  /** Keep only rows with these ids. */
  ids: z.array(z.string()).optional(),
  /** Keep only these classes, in this order (the class list); default every label found, sorted. */
  labels: z.array(z.string().min(1)).min(1).optional(),
  /** One row per note text; a text under two kept classes is left out as ambiguous. */
  dedupe: z.boolean().default(false),
  /** Training or validation part of a stratified k-fold split of the (deduplicated) rows. */
  split: z.enum(['train', 'val']).optional(),
  folds: z.number().int().min(2).default(5),
  fold: z.number().int().min(0).default(0),
  splitSeed: z.number().int().default(0),
  /** Longer notes keep their first and last maxChars/2 characters. */
  maxChars: z.number().int().min(16).default(100_000),
  /** Leave rows with an empty note out (listed in skipped()) instead of failing. */
  skipBad: z.boolean().optional(),
});
export type TextSpec = z.input<typeof textSpecSchema>;
type ParsedTextSpec = z.output<typeof textSpecSchema>;

interface TextRow {
  id: string;
  text: string;
  label: string;
  line: number;
}

/** A note longer than `maxChars` as its head and tail around a marker, so the cut is visible. */
export function headTail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor(maxChars / 2);
  return `${text.slice(0, half)} … ${text.slice(text.length - half)}`;
}

/** The file as UTF-8 text; other bytes are an error naming the byte offset. */
function readUtf8(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new MedattnDataError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first bad byte for the message (the decoder does not say where).
    let lo = 0;
    let hi = bytes.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid));
        lo = mid;
      } catch {
        hi = mid;
      }
    }
    throw new MedattnDataError(file, `not UTF-8 text (invalid byte 0x${bytes[lo].toString(16)} near byte ${lo})`);
  }
}

/** Rows of a CSV or JSONL file as column -> string records with their line numbers. */
function readRecords(
  file: string,
  text: string,
): { columns: Set<string>; records: { line: number; get: (c: string) => string | undefined }[] } {
  if (['.jsonl', '.ndjson'].includes(extname(file).toLowerCase())) {
    const columns = new Set<string>();
    const records: { line: number; get: (c: string) => string | undefined }[] = [];
    text.split('\n').forEach((raw, i) => {
      if (!raw.trim()) return;
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch (e) {
        throw new MedattnDataError(file, `line ${i + 1}: not JSON (${(e as Error).message})`);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
        throw new MedattnDataError(file, `line ${i + 1}: expected a JSON object`);
      const rec = obj as Record<string, unknown>;
      Object.keys(rec).forEach((k) => columns.add(k));
      records.push({ line: i + 1, get: (c) => (rec[c] === undefined || rec[c] === null ? undefined : String(rec[c])) });
    });
    return { columns, records };
  }
  const table = parseCsv(text, file);
  const index = new Map(table.header.map((h, i) => [h, i]));
  return {
    columns: new Set(table.header),
    records: table.rows.map((r) => ({
      line: r.line,
      get: (c: string) => {
        const i = index.get(c);
        return i === undefined ? undefined : r.cells[i];
      },
    })),
  };
}

export class TextDataset implements Dataset {
  readonly length: number;
  private readonly labelIndex: Int32Array;

  private constructor(
    private readonly spec: ParsedTextSpec,
    private readonly file: string,
    private readonly rows: TextRow[],
    readonly classNames: string[],
    private readonly bad: SkippedFile[],
    /** How many notes were cut to maxChars, and how many rows dedupe dropped. */
    readonly stats: { truncated: number; duplicates: number; ambiguous: number },
  ) {
    this.length = rows.length;
    const byName = new Map(classNames.map((c, i) => [c, i]));
    this.labelIndex = Int32Array.from(rows, (r) => byName.get(r.label)!);
  }

  static create(spec: ParsedTextSpec, options: { baseDir: string; skipBad: boolean }): TextDataset {
    const file = resolve(options.baseDir, spec.file);
    const { columns, records } = readRecords(file, readUtf8(file));
    for (const [option, column] of [
      ['textColumn', spec.textColumn],
      ['labelColumn', spec.labelColumn],
      ...(spec.idColumn ? [['idColumn', spec.idColumn]] : []),
    ] as const) {
      if (!columns.has(column))
        throw new MedattnDataError(file, `${option} '${column}' is not a column (columns: ${[...columns].join(', ')})`);
    }
    const bad: SkippedFile[] = [];
    const keepIds = spec.ids ? new Set(spec.ids) : undefined;
    const keepLabels = spec.labels ? new Set(spec.labels) : undefined;
    let rows: TextRow[] = [];
    let truncated = 0;
    records.forEach((rec, i) => {
      const id = spec.idColumn ? (rec.get(spec.idColumn) ?? '') : `${basename(file)}:${i + 1}`;
      if (keepIds && !keepIds.has(id)) return;
      const label = (rec.get(spec.labelColumn) ?? '').trim();
      if (keepLabels && !keepLabels.has(label)) return;
      if (!label) throw new MedattnDataError(file, `line ${rec.line}: empty ${spec.labelColumn}`);
      const raw = rec.get(spec.textColumn) ?? '';
      if (!raw.trim()) {
        if (options.skipBad) return void bad.push({ file: `${file}:${rec.line}`, reason: `empty ${spec.textColumn}` });
        throw new MedattnDataError(file, `line ${rec.line}: empty ${spec.textColumn} (skipBad leaves such rows out)`);
      }
      if (raw.length > spec.maxChars) truncated++;
      rows.push({ id, text: headTail(raw, spec.maxChars), label, line: rec.line });
    });
    let duplicates = 0;
    let ambiguous = 0;
    if (spec.dedupe) {
      const groups = new Map<string, TextRow[]>();
      for (const r of rows) {
        const key = r.text.split(/\s+/).filter(Boolean).join(' ');
        const g = groups.get(key);
        if (g) g.push(r);
        else groups.set(key, [r]);
      }
      rows = [];
      for (const g of groups.values()) {
        if (new Set(g.map((r) => r.label)).size > 1) ambiguous += g.length;
        else {
          rows.push(g[0]);
          duplicates += g.length - 1;
        }
      }
    }
    if (rows.length === 0) throw new MedattnDataError(file, 'no rows left (check labels, ids and the columns)');
    const classNames = spec.labels ?? [...new Set(rows.map((r) => r.label))].sort();
    if (spec.split) {
      const byName = new Map(classNames.map((c, i) => [c, i]));
      const labels = Int32Array.from(rows, (r) => byName.get(r.label)!);
      if (spec.fold >= spec.folds)
        throw new MedattnDataError(file, `fold ${spec.fold} is not below folds ${spec.folds}`);
      if (rows.length < spec.folds)
        throw new MedattnDataError(file, `${rows.length} rows cannot make ${spec.folds} folds`);
      const part = kFold(rows.length, { k: spec.folds, seed: spec.splitSeed, labels })[spec.fold][spec.split];
      rows = part.map((i) => rows[i]);
    }
    return new TextDataset(spec, file, rows, classNames, bad, { truncated, duplicates, ambiguous });
  }

  /** These rows (positions, in this order) as a text dataset: a cross-validation fold (`subset` spec). */
  subset(indices: number[]): TextDataset {
    for (const i of indices)
      if (!Number.isInteger(i) || i < 0 || i >= this.length)
        throw new MedattnDataError(this.file, `subset index ${i} is outside 0..${this.length - 1}`);
    return new TextDataset(
      this.spec,
      this.file,
      indices.map((i) => this.rows[i]),
      this.classNames,
      this.bad,
      this.stats,
    );
  }

  /** Every note, in order (no decoding needed: the tokenizer and the trainer read these). */
  texts(): string[] {
    return this.rows.map((r) => r.text);
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, `text dataset ${this.file}`);
    const r = this.rows[index];
    const bytes = new TextEncoder().encode(r.text);
    return {
      id: r.id,
      text: r.text,
      label: this.labelIndex[index],
      image: { data: bytes, shape: [1, bytes.length] },
    };
  }

  labels(): Int32Array {
    return this.labelIndex.slice();
  }

  ids(): string[] {
    return this.rows.map((r) => r.id);
  }

  describe(): TextSpec {
    return { ...this.spec, file: this.file };
  }

  skipped(): SkippedFile[] {
    return [...this.bad];
  }
}
