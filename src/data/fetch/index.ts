// `medattn data fetch` as a library: the catalog, the fetcher (which takes any catalog entry) and the data root.
export { CATALOG, MANUAL, catalogEntry } from './catalog.js';
export type { CatalogEntry, CatalogFile, ManualEntry } from './catalog-entry.js';
export { fileDigest, type Checksum, type ChecksumAlgorithm } from './checksum.js';
export {
  DATA_ROOT_PREFIX,
  SHARED_DATA_ROOT,
  dataRoot,
  defaultDataRoot,
  userDataRoot,
  isDataRootPath,
  resolveDataPath,
} from './data-root.js';
export { FetchError } from './errors.js';
export { fetchDataset, MARKER, type FetchOptions, type FetchProgress, type FetchResult } from './fetch-dataset.js';
export { unpackArchive } from './unpack.js';
