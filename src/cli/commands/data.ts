/**
 * `medattn data list` and `medattn data fetch NAME... [--dir DIR] [--mirror URL|DIR]`: the public data sets the
 * configs use, downloaded with the publisher's checksum checked, into the data root the configs read.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { CATALOG, MANUAL, catalogEntry } from '../../data/fetch/catalog.js';
import { dataRoot } from '../../data/fetch/data-root.js';
import { FetchError } from '../../data/fetch/errors.js';
import { fetchDataset, type FetchProgress } from '../../data/fetch/fetch-dataset.js';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function dataListCommand(o: { json?: boolean }): void {
  if (o.json) {
    console.log(JSON.stringify({ dataRoot: dataRoot(), fetch: CATALOG, manual: MANUAL }));
    return;
  }
  console.log(`data root: ${dataRoot()} (--data-root DIR or MEDATTN_DATA to change)\n`);
  for (const e of CATALOG) {
    console.log(`${e.name.padEnd(15)} ${e.title}`);
    console.log(
      `${''.padEnd(15)} ${e.files.length} file${e.files.length > 1 ? 's' : ''} from ${e.baseUrl} -> <data root>/${e.folder}; ${e.license}`,
    );
  }
  console.log('\nnot fetchable:');
  for (const m of MANUAL) console.log(`${m.name.padEnd(15)} ${m.title}: ${m.howTo}`);
}

export async function dataFetchCommand(names: string[], o: { dir?: string; mirror?: string }): Promise<void> {
  const entries = names.map((name) => {
    const entry = catalogEntry(name);
    if (entry) return entry;
    const manual = MANUAL.find((m) => m.name === name.toLowerCase());
    if (manual) throw new FetchError(`data fetch: ${manual.name} cannot be fetched: ${manual.howTo}`);
    throw new FetchError(
      `data fetch: unknown data set '${name}'; known: ${CATALOG.map((e) => e.name).join(', ')} (medattn data list)`,
    );
  });
  if (o.mirror !== undefined && entries.length > 1)
    throw new FetchError("data fetch: --mirror replaces one data set's base URL: fetch one data set at a time with it");
  const dir = o.dir ? resolve(o.dir) : dataRoot();
  for (const entry of entries) {
    process.stderr.write(`${entry.name}: fetching into ${dir}/${entry.folder} from ${o.mirror ?? entry.baseUrl}\n`);
    const bar = progressBar(entry.name);
    try {
      const result = await fetchDataset(entry, { dir, mirror: o.mirror, onProgress: bar.update });
      bar.stop();
      process.stderr.write(
        result.fetched
          ? `${entry.name}: ${result.files} file${result.files > 1 ? 's' : ''}, ${mb(result.bytes)}, checksums ok\n`
          : `${entry.name}: already fetched\n`,
      );
      console.log(result.folder);
    } finally {
      bar.stop();
    }
  }
}

/** A byte (or file) progress bar on a terminal; nothing otherwise (the command prints one line per data set). */
function progressBar(name: string): { update: (p: FetchProgress) => void; stop: () => void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  let byBytes = false;
  const payload = (p: FetchProgress) => ({
    done: byBytes ? `${mb(p.bytes)} of ${mb(p.totalBytes ?? 0)},` : '',
    files: `${p.filesDone}/${p.filesTotal}`,
  });
  return {
    update: (p) => {
      if (!bar) {
        byBytes = p.totalBytes !== undefined;
        bar = new cliProgress.SingleBar(
          { format: `${name} [{bar}] {percentage}% {done} files {files}`, stream, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(byBytes ? (p.totalBytes ?? 0) : p.filesTotal, 0, payload(p));
      }
      if (byBytes && p.totalBytes !== undefined) bar.setTotal(p.totalBytes);
      bar.update(byBytes ? p.bytes : p.filesDone, payload(p));
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
