/**
 * Datasets as plain data (JSON): what a config file holds and what the loader sends to its worker threads,
 * which rebuild the same dataset with `createDataset`. The spec is validated here, once, with zod; a problem
 * is one line naming the option (`dataset spec: kind 'folder': root: ...`).
 *
 *   { kind: 'medmnist', file: 'pneumoniamnist.npz', split: 'train' }
 *   { kind: 'pairs', images: 'training/images', masks: 'training/1st_manual', roi: 'training/mask' }
 */
import * as z from 'zod';
import { CsvDataset, csvSpecSchema, type CsvSpec } from './csv-dataset.js';
import type { Dataset } from './dataset.js';
import { DatasetSpecError } from './dataset-spec-error.js';
import { FolderDataset, folderSpecSchema, type FolderSpec } from './folder-dataset.js';
import { MedmnistDataset, medmnistSpecSchema, type MedmnistSpec } from './medmnist-dataset.js';
import { NiftiPatchesDataset, niftiPatchesSpecSchema, type NiftiPatchesSpec } from './nifti-patches-dataset.js';
import { NiftiSlicesDataset, niftiSlicesSpecSchema, type NiftiSlicesSpec } from './nifti-slices-dataset.js';
import { PairsDataset, pairsSpecSchema, type PairsSpec } from './pairs-dataset.js';
import { SubsetDataset, type SubsetSpec } from './subset-dataset.js';

export type DatasetSpec =
  MedmnistSpec | FolderSpec | PairsSpec | CsvSpec | NiftiSlicesSpec | NiftiPatchesSpec | SubsetSpec;

export interface CreateDatasetOptions {
  /** Folder that relative paths in the spec are relative to (the config file's folder). Default: the working directory. */
  baseDir?: string;
  /** Leave unreadable files out and list them in `skipped()` instead of throwing. Also settable in the spec. */
  skipBad?: boolean;
}

const leafSchemas = {
  medmnist: medmnistSpecSchema,
  folder: folderSpecSchema,
  pairs: pairsSpecSchema,
  csv: csvSpecSchema,
  niftiSlices: niftiSlicesSpecSchema,
  niftiPatches: niftiPatchesSpecSchema,
} as const;

const subsetSchema = z.strictObject({
  kind: z.literal('subset'),
  of: z.record(z.string(), z.unknown()),
  indices: z.array(z.number().int().min(0)).optional(),
  ids: z.array(z.string()).optional(),
  repeat: z.number().int().min(1).optional(),
});

/** The `kind`s createDataset knows. */
export const datasetKinds: readonly string[] = [...Object.keys(leafSchemas), 'subset'];

export async function createDataset(spec: DatasetSpec, options: CreateDatasetOptions = {}): Promise<Dataset> {
  const baseDir = options.baseDir ?? process.cwd();
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new DatasetSpecError('', `expected an object with a "kind", got ${JSON.stringify(spec)}`);
  }
  const kind = (spec as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !datasetKinds.includes(kind)) {
    throw new DatasetSpecError('kind', `expected one of ${datasetKinds.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const skipBad = Boolean(options.skipBad || (spec as { skipBad?: boolean }).skipBad);
  const ctx = { baseDir, skipBad };
  switch (kind) {
    case 'medmnist':
      return MedmnistDataset.create(validate(leafSchemas.medmnist, spec, kind), ctx);
    case 'folder':
      return FolderDataset.create(validate(leafSchemas.folder, spec, kind), ctx);
    case 'pairs':
      return PairsDataset.create(validate(leafSchemas.pairs, spec, kind), ctx);
    case 'csv':
      return CsvDataset.create(validate(leafSchemas.csv, spec, kind), ctx);
    case 'niftiSlices':
      return NiftiSlicesDataset.create(validate(leafSchemas.niftiSlices, spec, kind), ctx);
    case 'niftiPatches':
      return NiftiPatchesDataset.create(validate(leafSchemas.niftiPatches, spec, kind), ctx);
    default: {
      const s = validate(subsetSchema, spec, kind);
      const base = await createDataset(s.of as unknown as DatasetSpec, options);
      return new SubsetDataset(base, {
        ...(s.indices ? { indices: s.indices } : {}),
        ...(s.ids ? { ids: s.ids } : {}),
        ...(s.repeat ? { repeat: s.repeat } : {}),
      });
    }
  }
}

function validate<S extends z.ZodType>(schema: S, spec: unknown, kind: string): z.output<S> {
  const result = schema.safeParse(spec);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const option = issue.path.length ? issue.path.join('.') : '';
  let message = issue.message;
  if (issue.code === 'unrecognized_keys')
    message = `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  throw new DatasetSpecError(`kind '${kind}'${option ? `: ${option}` : ''}`, message);
}
