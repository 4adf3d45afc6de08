import type { Checksum } from './checksum.js';

/** One file a data set is made of, as its publisher serves it. */
export interface CatalogFile {
  /** Path under the entry's base URL (or under a `--mirror`), e.g. `image/0.png` or `set-a.tar.gz`. */
  remote: string;
  /** The publisher's hash of the file as downloaded. */
  checksum: Checksum;
  /** Size in bytes, where the publisher states it (checked before hashing). */
  size?: number;
  /**
   * Where it lands, relative to the data set's folder: a plain file is written there (default: `remote`); an
   * archive is unpacked into that folder (default: the data set's folder itself).
   */
  path?: string;
  /** An archive to unpack instead of keeping. */
  unpack?: 'zip' | 'tar.gz';
}

/** A data set that `medattn data fetch NAME` knows, with where each file and checksum came from. */
export interface CatalogEntry {
  /** The name on the command line, e.g. `pneumoniamnist`. */
  name: string;
  title: string;
  license: string;
  /** Folder under the data root, as in ../shared/data (e.g. `pneumoniamnist`). */
  folder: string;
  /** The publisher's base URL; a file's URL is `baseUrl + remote + (urlSuffix ?? '')`. */
  baseUrl: string;
  /** Appended to official URLs only (Zenodo's `?download=1`), never to a mirror's. */
  urlSuffix?: string;
  files: CatalogFile[];
  /** Where the checksums came from (the publisher's own metadata), for `data list` and for review. */
  checksumSource: string;
}

/** A data set the configs can use that cannot be fetched automatically, and why. */
export interface ManualEntry {
  name: string;
  title: string;
  folder: string;
  /** What a user must do instead, in one line. */
  howTo: string;
}
