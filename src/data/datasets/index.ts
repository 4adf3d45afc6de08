// Public API of the datasets: specs and createDataset, the dataset classes, class statistics and splits.
export type { Dataset, DatasetSample, SkippedFile } from './dataset.ts';
export { createDataset, datasetKinds, type DatasetSpec, type CreateDatasetOptions } from './spec.ts';
export { DatasetSpecError } from './dataset-spec-error.ts';
export { SkippedSampleError } from './bad-files.ts';
export { MedmnistDataset, clearMedmnistCache, type MedmnistSpec } from './medmnist-dataset.ts';
export { FolderDataset, type FolderSpec } from './folder-dataset.ts';
export { PairsDataset, caseIdOf, type PairsSpec } from './pairs-dataset.ts';
export { CsvDataset, type CsvSpec } from './csv-dataset.ts';
export { NiftiSlicesDataset, type NiftiSlicesSpec } from './nifti-slices-dataset.ts';
export { NiftiPatchesDataset, gridStarts, type NiftiPatchesSpec } from './nifti-patches-dataset.ts';
export { clearVolumeCache, selectLabels } from './nifti-volumes.ts';
export { SubsetDataset, type SubsetSpec } from './subset-dataset.ts';
export { classCounts, classWeights, type ClassWeighting, type ClassWeightOptions } from './class-stats.ts';
export { kFold, holdOut, splitIds, type Split, type KFoldOptions, type HoldOutOptions } from './splits.ts';
export { IMAGE_EXTENSIONS } from './image-files.ts';
