/**
 * Datasets as data: what a config file holds and what the loader sends to its worker threads, which rebuild
 * the same dataset with `createDataset`. `DatasetSpec` is one discriminated union over `kind`, validated by one
 * zod schema (`datasetSpecSchema`), which the training config reuses; a problem is one line naming the option
 * (`dataset spec: kind 'folder': root: ...`).
 *
 *   { kind: 'medmnist', file: 'pneumoniamnist.npz', split: 'train' }
 *   { kind: 'pairs', images: 'training/images', masks: 'training/1st_manual', roi: 'training/mask' }
 *   { kind: 'subset', of: { kind: 'medmnist', file: 'x.npz' }, indices: [0, 5, 7] }
 *
 * Two kinds are for code rather than config files: `arrays` (in-memory typed arrays, see array-dataset.ts) and
 * `module` (a user-defined dataset factory imported by path, see module-dataset.ts).
 */
import * as z from 'zod';
import { ArrayDataset, arraysSpecSchema, type ArraysSpec } from './array-dataset.js';
import { CsvDataset, csvSpecSchema, type CsvSpec } from './csv-dataset.js';
import type { Dataset } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { FolderDataset, folderSpecSchema, type FolderSpec } from './folder-dataset.js';
import { MedmnistDataset, medmnistSpecSchema, type MedmnistSpec } from './medmnist-dataset.js';
import { ModuleDataset, moduleSpecSchema, type ModuleSpec } from './module-dataset.js';
import { NiftiPatchesDataset, niftiPatchesSpecSchema, type NiftiPatchesSpec } from './nifti-patches-dataset.js';
import { NiftiSlicesDataset, niftiSlicesSpecSchema, type NiftiSlicesSpec } from './nifti-slices-dataset.js';
import { PairsDataset, pairsSpecSchema, type PairsSpec } from './pairs-dataset.js';
import { SubsetDataset, type SubsetSpec } from './subset-dataset.js';
import { VocDataset, vocSpecSchema, type VocSpec } from './voc-dataset.js';
import { BoxCsvDataset, boxCsvSpecSchema, type BoxCsvSpec } from './box-csv-dataset.js';
import { CocoDataset, cocoSpecSchema, type CocoSpec } from './coco-dataset.js';
import { TableDataset, tableSpecSchema, type TableSpec } from './table-dataset.js';
import { splitFields, splitOf, type SplitSpec } from './split-dataset.js';
import { Physionet2012Dataset, physionet2012SpecSchema, type Physionet2012Spec } from '../icu/physionet2012-dataset.js';
import { TextDataset, textSpecSchema, type TextSpec } from './text-dataset.js';

/** Every dataset kind's spec, discriminated by `kind`. */
export type DatasetSpec =
  | MedmnistSpec
  | FolderSpec
  | PairsSpec
  | CsvSpec
  | NiftiSlicesSpec
  | NiftiPatchesSpec
  | SubsetSpec
  | ArraysSpec
  | ModuleSpec
  | VocSpec
  | BoxCsvSpec
  | CocoSpec
  | TableSpec
  | SplitSpec
  | Physionet2012Spec
  | TextSpec;

export interface CreateDatasetOptions {
  /** Folder that relative paths in the spec are relative to (the config file's folder). Default: the working directory. */
  baseDir?: string;
  /** Leave unreadable files out and list them in `skipped()` instead of throwing. Also settable in the spec. */
  skipBad?: boolean;
}

const subsetSpecSchema = z.strictObject({
  kind: z.literal('subset'),
  get of(): z.ZodType<DatasetSpec> {
    return datasetSpecSchema;
  },
  indices: z.array(z.number().int().min(0)).optional(),
  ids: z.array(z.string()).optional(),
  repeat: z.number().int().min(1).optional(),
});

const splitSpecSchema = z.strictObject({
  ...splitFields,
  get of(): z.ZodType<DatasetSpec> {
    return datasetSpecSchema;
  },
});

/** The schema of every kind; `subset.of` is validated recursively. */
export const datasetSpecSchema: z.ZodType<DatasetSpec> = z.discriminatedUnion('kind', [
  medmnistSpecSchema,
  folderSpecSchema,
  pairsSpecSchema,
  csvSpecSchema,
  niftiSlicesSpecSchema,
  niftiPatchesSpecSchema,
  subsetSpecSchema,
  arraysSpecSchema,
  moduleSpecSchema,
  vocSpecSchema,
  boxCsvSpecSchema,
  cocoSpecSchema,
  tableSpecSchema,
  splitSpecSchema,
  physionet2012SpecSchema,
  textSpecSchema,
]);

/** The `kind`s createDataset knows. */
export const datasetKinds: readonly DatasetSpec['kind'][] = [
  'medmnist',
  'folder',
  'pairs',
  'csv',
  'niftiSlices',
  'niftiPatches',
  'subset',
  'arrays',
  'module',
  'voc',
  'boxCsv',
  'coco',
  'table',
  'split',
  'physionet2012',
  'text',
];

/** The first problem of a spec as (option path, one-line reason), or undefined when it is valid. */
export function datasetSpecProblem(spec: unknown): { path: PropertyKey[]; reason: string } | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return { path: [], reason: `expected an object with a "kind", got ${JSON.stringify(spec) ?? 'nothing'}` };
  }
  const result = datasetSpecSchema.safeParse(spec);
  if (result.success) return undefined;
  // A misspelt option is also a missing one: name the misspelling, it is what the user has to fix.
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'kind') {
    const kind = issue.path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown>)[k], spec);
    const got = JSON.stringify((kind as { kind?: unknown }).kind) ?? 'nothing';
    return { path: issue.path, reason: `expected one of ${datasetKinds.join(', ')}, got ${got}` };
  }
  // An unknown option is named in the path, so the message points at the typo itself.
  if (issue.code === 'unrecognized_keys') return { path: [...issue.path, issue.keys[0]], reason: 'unknown option' };
  return { path: issue.path, reason: issue.message };
}

/** Throws a DatasetSpecError naming the kind and the option unless `spec` is a valid dataset spec. */
function validate(spec: unknown): asserts spec is DatasetSpec {
  const problem = datasetSpecProblem(spec);
  if (!problem) return;
  const kind = (spec as { kind?: unknown } | null)?.kind;
  const where = typeof kind === 'string' && problem.path[0] !== 'kind' ? `kind '${kind}'` : '';
  const option = problem.path.map(String).join('.');
  throw new DatasetSpecError([where, option].filter(Boolean).join(': '), problem.reason);
}

export async function createDataset(spec: DatasetSpec, options: CreateDatasetOptions = {}): Promise<Dataset> {
  validate(spec);
  const baseDir = options.baseDir ?? process.cwd();
  const skipBad = Boolean(options.skipBad || ('skipBad' in spec && spec.skipBad));
  const ctx = { baseDir, skipBad };
  // Parsed again per kind for the defaults the dataset classes rely on (the union schema's output is not kept).
  switch (spec.kind) {
    case 'medmnist':
      return MedmnistDataset.create(medmnistSpecSchema.parse(spec), ctx);
    case 'folder':
      return FolderDataset.create(folderSpecSchema.parse(spec), ctx);
    case 'pairs':
      return PairsDataset.create(pairsSpecSchema.parse(spec), ctx);
    case 'csv':
      return CsvDataset.create(csvSpecSchema.parse(spec), ctx);
    case 'niftiSlices':
      return NiftiSlicesDataset.create(niftiSlicesSpecSchema.parse(spec), ctx);
    case 'niftiPatches':
      return NiftiPatchesDataset.create(niftiPatchesSpecSchema.parse(spec), ctx);
    case 'arrays':
      return new ArrayDataset(spec);
    case 'module':
      return ModuleDataset.create(spec);
    case 'voc':
      return VocDataset.create(vocSpecSchema.parse(spec), ctx);
    case 'boxCsv':
      return BoxCsvDataset.create(boxCsvSpecSchema.parse(spec), ctx);
    case 'coco':
      return CocoDataset.create(cocoSpecSchema.parse(spec), ctx);
    case 'table':
      return TableDataset.create(tableSpecSchema.parse(spec), ctx);
    case 'split':
      return splitOf(await createDataset(spec.of, options), spec);
    case 'physionet2012':
      return Physionet2012Dataset.create(physionet2012SpecSchema.parse(spec), ctx);
    case 'text':
      return TextDataset.create(textSpecSchema.parse(spec), ctx);
    case 'subset': {
      const base = await createDataset(spec.of, options);
      return new SubsetDataset(base, {
        ...(spec.indices ? { indices: spec.indices } : {}),
        ...(spec.ids ? { ids: spec.ids } : {}),
        ...(spec.repeat ? { repeat: spec.repeat } : {}),
      });
    }
  }
}
