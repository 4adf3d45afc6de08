/**
 * Fetches one catalog entry into `<dir>/<folder>`, the layout of ../shared/data.
 *
 * Nothing half-done ever looks complete: each file downloads to `<dir>/.medattn-fetch/<folder>/<remote>.part`,
 * is checked against the publisher's size and checksum, and only then renamed to drop `.part`; when every file is
 * there, the data set is assembled (archives unpacked) in `<dir>/.<folder>.tmp-<pid>` with a `.medattn-fetch.json`
 * marker and renamed to `<dir>/<folder>` in one step. A cut connection leaves its `.part` file to resume from; a
 * checksum mismatch deletes only the bad `.part` file; files already verified stay for the next run.
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { CatalogEntry, CatalogFile } from './catalog-entry.js';
import { fileDigest } from './checksum.js';
import { DownloadFailure, downloadToPart } from './download.js';
import { FetchError } from './errors.js';
import { UnpackFailure, unpackArchive } from './unpack.js';

export interface FetchOptions {
  /** The data root the data set's folder goes into. */
  dir: string;
  /** Replaces the entry's base URL: another http(s) base URL, or a local folder holding the files under their `remote` paths. */
  mirror?: string;
  /** Milliseconds of silence before a download gives up (default 30 s). */
  timeoutMs?: number;
  /** Files downloaded at the same time (default 4). */
  concurrency?: number;
  onProgress?: (p: FetchProgress) => void;
}

export interface FetchProgress {
  /** Bytes of the data set downloaded so far (this run and verified files of earlier runs). */
  bytes: number;
  /** All bytes of the data set, when the catalog or the server says. */
  totalBytes?: number;
  filesDone: number;
  filesTotal: number;
}

export interface FetchResult {
  /** `<dir>/<folder>`. */
  folder: string;
  /** False when the folder was already there from an earlier fetch with the same checksums (nothing downloaded). */
  fetched: boolean;
  files: number;
  bytes: number;
}

export const MARKER = '.medattn-fetch.json';

interface Marker {
  name: string;
  files: { remote: string; checksum: string }[];
}

const markerOf = (entry: CatalogEntry): Marker => ({
  name: entry.name,
  files: entry.files.map((f) => ({
    remote: f.remote,
    checksum: `${f.checksum.algorithm}:${f.checksum.value.toLowerCase()}`,
  })),
});

/** Downloads, verifies and unpacks `entry` under `options.dir`. */
export async function fetchDataset(entry: CatalogEntry, options: FetchOptions): Promise<FetchResult> {
  const target = join(options.dir, entry.folder);
  const present = alreadyFetched(entry, target);
  if (present) return present;
  const source = mirrorSource(entry, options.mirror, options.timeoutMs);
  const staging = join(options.dir, '.medattn-fetch', entry.folder);
  mkdirSync(staging, { recursive: true });
  const release = lockStaging(entry, staging);
  try {
    // Another process may have finished the same data set while this one was starting.
    return alreadyFetched(entry, target) ?? (await fetchLocked(entry, options, source, staging, target));
  } finally {
    release();
    try {
      rmdirSync(join(options.dir, '.medattn-fetch')); // only when no other data set is half-fetched
    } catch {
      // not empty: another data set's downloads are waiting there
    }
  }
}

/** The result for a folder fetched earlier with the same checksums; undefined when absent; throws for any other folder. */
function alreadyFetched(entry: CatalogEntry, target: string): FetchResult | undefined {
  if (!existsSync(target)) return undefined;
  const marker = join(target, MARKER);
  const found = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as Marker) : undefined;
  if (found && JSON.stringify(found) === JSON.stringify(markerOf(entry)))
    return { folder: target, fetched: false, files: entry.files.length, bytes: 0 };
  throw new FetchError(
    `${entry.name}: ${target} already exists ${found ? 'from a different version of the catalog' : "and was not written by 'medattn data fetch'"}; move it away or choose another --dir`,
  );
}

/**
 * One fetch of a data set into a data root at a time: a `.lock` file with the owner's pid in the staging folder.
 * A lock whose process is gone (killed) is taken over. Returns the release function.
 */
function lockStaging(entry: CatalogEntry, staging: string): () => void {
  const lock = join(staging, '.lock');
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid))
      throw new FetchError(
        `${entry.name}: another 'medattn data fetch' (pid ${pid}) is fetching it into the same folder; wait for it to finish`,
      );
    rmSync(lock, { force: true }); // stale: its process is gone
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fetchLocked(
  entry: CatalogEntry,
  options: FetchOptions,
  source: Source,
  staging: string,
  target: string,
): Promise<FetchResult> {
  const expected = markerOf(entry);
  const knownTotal = entry.files.every((f) => f.size !== undefined)
    ? entry.files.reduce((s, f) => s + (f.size ?? 0), 0)
    : undefined;
  const inFlight = new Map<CatalogFile, { bytes: number; total?: number }>();
  let doneBytes = 0;
  let filesDone = 0;
  const report = () => {
    let bytes = doneBytes;
    let total = knownTotal;
    for (const f of inFlight.values()) bytes += f.bytes;
    if (total === undefined && entry.files.length === 1) total = [...inFlight.values()][0]?.total;
    options.onProgress?.({ bytes, totalBytes: total, filesDone, filesTotal: entry.files.length });
  };

  const fetchOne = async (file: CatalogFile) => {
    const done = join(staging, file.remote);
    // A file verified by an earlier run is checked again: the catalog may have changed since.
    if (existsSync(done) && (await problemWith(file, done))) rmSync(done);
    if (!existsSync(done)) {
      const part = `${done}.part`;
      mkdirSync(dirname(part), { recursive: true });
      const where = source.describe(file);
      inFlight.set(file, { bytes: 0 });
      try {
        await source.get(file, part, (bytes, total) => {
          inFlight.set(file, { bytes, total });
          report();
        });
      } catch (e) {
        inFlight.delete(file);
        if (e instanceof DownloadFailure) throw new FetchError(`${entry.name}: ${where}: ${e.message}`);
        throw e;
      }
      try {
        await verify(entry, file, part, where);
      } finally {
        inFlight.delete(file);
      }
      renameSync(part, done);
    }
    // Counted in the same step as it leaves inFlight, so the reported bytes never go back.
    doneBytes += statSync(done).size;
    inFlight.delete(file);
    filesDone++;
    report();
  };
  await inPool(entry.files, options.concurrency ?? 4, fetchOne);

  // Every file is verified: assemble the folder beside its final place and rename it there in one step.
  const tmp = join(options.dir, `.${entry.folder}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const file of entry.files) {
      const staged = join(staging, file.remote);
      if (file.unpack) {
        try {
          unpackArchive(staged, file.unpack, join(tmp, file.path ?? ''));
        } catch (e) {
          if (e instanceof UnpackFailure) throw new FetchError(`${entry.name}: ${source.describe(file)}: ${e.message}`);
          throw e;
        }
      } else {
        const dest = join(tmp, file.path ?? file.remote);
        mkdirSync(dirname(dest), { recursive: true });
        linkOrCopy(staged, dest);
      }
    }
    writeFileSync(join(tmp, MARKER), `${JSON.stringify(expected, null, 1)}\n`);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  rmSync(staging, { recursive: true, force: true });
  return { folder: target, fetched: true, files: entry.files.length, bytes: doneBytes };
}

/** Checks size and checksum of a downloaded `.part` file; on a mismatch deletes it and throws. */
async function verify(entry: CatalogEntry, file: CatalogFile, part: string, where: string): Promise<void> {
  const problem = await problemWith(file, part);
  if (problem) {
    rmSync(part, { force: true });
    throw new FetchError(
      `${entry.name}: checksum mismatch for ${where}: ${problem} (download deleted; nothing complete was touched)`,
    );
  }
}

/** How a file differs from the publisher's size and checksum, or undefined when it matches. */
async function problemWith(file: CatalogFile, path: string): Promise<string | undefined> {
  const size = statSync(path).size;
  const { algorithm, value } = file.checksum;
  if (file.size !== undefined && size !== file.size) return `size ${size} bytes, the publisher says ${file.size}`;
  const digest = await fileDigest(path, algorithm);
  return digest === value.toLowerCase() ? undefined : `${algorithm} ${digest}, the publisher says ${value}`;
}

interface Source {
  describe(file: CatalogFile): string;
  get(file: CatalogFile, part: string, onBytes: (bytes: number, total?: number) => void): Promise<void>;
}

function mirrorSource(entry: CatalogEntry, mirror: string | undefined, timeoutMs: number | undefined): Source {
  if (mirror === undefined || /^https?:\/\//i.test(mirror)) {
    const base = mirror === undefined ? entry.baseUrl : mirror.endsWith('/') ? mirror : `${mirror}/`;
    const url = (file: CatalogFile) => `${base}${file.remote}${mirror === undefined ? (entry.urlSuffix ?? '') : ''}`;
    return {
      describe: url,
      get: (file, part, onBytes) => downloadToPart(url(file), part, { onBytes, timeoutMs }),
    };
  }
  if (!existsSync(mirror) || !statSync(mirror).isDirectory())
    throw new FetchError(`${entry.name}: --mirror ${mirror}: not an http(s) URL and not a folder`);
  const path = (file: CatalogFile) => join(mirror, file.remote);
  return {
    describe: path,
    get: async (file, part, onBytes) => {
      if (!existsSync(path(file))) throw new DownloadFailure('no such file in the mirror folder');
      copyFileSync(path(file), part);
      onBytes(statSync(part).size);
    },
  };
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Runs `work` over `items`, `limit` at a time; after the first failure starts nothing new and rethrows it. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
