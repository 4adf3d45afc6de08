/**
 * The `physionet2012` dataset kind: a folder of `RECORDID.txt` records and the outcomes file, one sample per
 * record with the in-hospital death label (classNames survived / died) and the record as the packed hourly
 * grid (icu-grid.ts) in `image`. `fold` takes one part of a stratified k-fold split (splits.ts's kFold), so a
 * config can train on set A without listing record ids:
 *
 *   { "kind": "physionet2012", "records": "set-a", "outcomes": "Outcomes-a.txt",
 *     "fold": { "k": 5, "index": 0, "part": "train" } }
 *
 * A record with no outcome, or an outcome with no record, is an error naming both files.
 */
import { resolve } from 'node:path';
import * as z from 'zod';
import { MedattnDataError } from '../io/errors.js';
import { checkIndex, type Dataset, type DatasetSample, type SkippedFile } from '../datasets/dataset.js';
import { kFold } from '../datasets/splits.js';
import { loadIcuRecords, readIcuOutcomes } from './physionet2012-set.js';
import type { IcuRecord } from './physionet2012-record.js';
import { ICU_HOURS, icuGrid, icuGridShape } from './icu-grid.js';
import { ICU_SERIES } from './physionet2012-variables.js';

export const physionet2012SpecSchema = z.strictObject({
  kind: z.literal('physionet2012'),
  /** Folder of RECORDID.txt files. */
  records: z.string().min(1),
  /** Outcomes file (RecordID,...,In-hospital_death). */
  outcomes: z.string().min(1),
  /** Time bins over the 48-hour window (48: hourly; 24: two-hour bins). */
  hours: z.number().int().min(1).max(48).default(ICU_HOURS),
  fold: z
    .strictObject({
      k: z.number().int().min(2),
      index: z.number().int().min(0),
      part: z.enum(['train', 'val']),
      seed: z.number().int().default(0),
    })
    .refine((f) => f.index < f.k, { message: 'fold.index must be below fold.k' })
    .optional(),
  /** Folder for the parsed-records cache; false for none (default: the user cache folder). */
  cache: z.union([z.string().min(1), z.literal(false)]).optional(),
  skipBad: z.boolean().optional(),
});
export type Physionet2012Spec = z.input<typeof physionet2012SpecSchema>;

export class Physionet2012Dataset implements Dataset {
  readonly length: number;
  readonly classNames = ['survived', 'died'];

  private constructor(
    private readonly spec: z.output<typeof physionet2012SpecSchema>,
    readonly records: IcuRecord[],
    private readonly outcome: Int32Array,
    private readonly skippedFiles: SkippedFile[],
  ) {
    this.length = records.length;
  }

  static async create(
    parsed: z.output<typeof physionet2012SpecSchema>,
    options: { baseDir: string; skipBad: boolean },
  ): Promise<Physionet2012Dataset> {
    const records = resolve(options.baseDir, parsed.records);
    const outcomesFile = resolve(options.baseDir, parsed.outcomes);
    const cacheDir = parsed.cache === false ? false : parsed.cache ? resolve(options.baseDir, parsed.cache) : undefined;
    const set = loadIcuRecords(records, { skipBad: options.skipBad, cacheDir });
    const outcomes = readIcuOutcomes(outcomesFile);
    const labels = set.records.map((r) => {
      const y = outcomes.get(r.id);
      if (y === undefined)
        throw new MedattnDataError(outcomesFile, `outcomes: no row for record ${r.id} of ${records}`);
      return y;
    });
    let chosen = set.records.map((_, i) => i);
    if (parsed.fold) {
      const { k, index, part, seed } = parsed.fold;
      chosen = kFold(chosen.length, { k, seed, labels })[index][part];
    }
    const spec = { ...parsed, records, outcomes: outcomesFile, ...(cacheDir ? { cache: cacheDir } : {}) };
    return new Physionet2012Dataset(
      spec,
      chosen.map((i) => set.records[i]),
      Int32Array.from(chosen, (i) => labels[i]),
      set.skipped,
    );
  }

  async get(index: number): Promise<DatasetSample> {
    checkIndex(index, this.length, 'physionet2012 dataset');
    const record = this.records[index];
    const { hours, variables } = icuGridShape(this.spec.hours);
    return {
      id: record.id,
      image: { data: icuGrid(record, hours), shape: [3, hours + 1, variables] },
      label: this.outcome[index],
    };
  }

  labels(): Int32Array {
    return this.outcome.slice();
  }

  ids(): string[] {
    return this.records.map((r) => r.id);
  }

  describe(): Physionet2012Spec {
    return this.spec;
  }

  skipped(): SkippedFile[] {
    return this.skippedFiles;
  }

  /** Variable names along the grid's last axis. */
  static readonly variables: readonly string[] = ICU_SERIES;
}
