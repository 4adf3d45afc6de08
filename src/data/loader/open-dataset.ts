/**
 * How the loader opens its dataset, in this thread or in a worker: a Dataset object as it is, a spec through
 * `createDataset` (imported statically: a worker rebuilds any kind from its spec); then `preload`, so what the
 * spec asks to keep in memory is decoded before the first batch.
 */
import { createDataset, type Dataset, type DatasetSpec } from '../datasets/index.js';

export function isDatasetObject(d: Dataset | DatasetSpec): d is Dataset {
  return 'get' in d && typeof d.get === 'function';
}

/** The dataset, and whether its spec asked to hold it in memory (`preload` resolved true). */
export async function openDataset(d: Dataset | DatasetSpec): Promise<{ dataset: Dataset; preloaded: boolean }> {
  const dataset = isDatasetObject(d) ? d : await createDataset(d);
  const preloaded = (await dataset.preload?.()) === true;
  return { dataset, preloaded };
}
