// Public API of the datasets: specs and createDataset, the dataset classes, class statistics and splits.
export type { Dataset, DatasetSample, SkippedFile } from './dataset.js';
export {
  createDataset,
  datasetKinds,
  datasetSpecProblem,
  datasetSpecSchema,
  type DatasetSpec,
  type CreateDatasetOptions,
} from './spec.js';
export { DatasetSpecError } from './dataset-spec-error.js';
export { SkippedSampleError } from './bad-files.js';
export { MedmnistDataset, clearMedmnistCache, type MedmnistSpec } from './medmnist-dataset.js';
export { FolderDataset, type FolderSpec } from './folder-dataset.js';
export { PairsDataset, caseIdOf, type PairsSpec } from './pairs-dataset.js';
export { CsvDataset, type CsvSpec } from './csv-dataset.js';
export { NiftiSlicesDataset, type NiftiSlicesSpec } from './nifti-slices-dataset.js';
export { NiftiPatchesDataset, gridStarts, type NiftiPatchesSpec } from './nifti-patches-dataset.js';
export { clearVolumeCache, selectLabels } from './nifti-volumes.js';
export { SubsetDataset, type SubsetSpec } from './subset-dataset.js';
export { ArrayDataset, shareArrays, type ArrayField, type ArraysSpec } from './array-dataset.js';
export { ModuleDataset, type ModuleDatasetSource, type ModuleSpec } from './module-dataset.js';
export { classCounts, classWeights, type ClassWeighting, type ClassWeightOptions } from './class-stats.js';
export { kFold, holdOut, splitIds, type Split, type KFoldOptions, type HoldOutOptions } from './splits.js';
export { IMAGE_EXTENSIONS } from './image-files.js';
export { VocDataset, type VocSpec } from './voc-dataset.js';
export { BoxDataset, type BoxCase } from './box-dataset.js';
export { BoxCsvDataset, type BoxCsvSpec } from './box-csv-dataset.js';
export { CocoDataset, type CocoSpec } from './coco-dataset.js';
export { parseVocAnnotation, readVocAnnotation, type VocAnnotation, type VocObject } from './voc-annotation.js';
export { TableDataset, encodePatient, tableSpecSchema, type TableSpec } from './table-dataset.js';
export { DEFAULT_MISSING, type TableColumn, type TableSchema } from './table-schema.js';
export { splitOf, unsplit, type SplitSpec } from './split-dataset.js';
