// The real catalog entries, served from ../shared/data by a local HTTP server: the publishers' checksums accept
// the files that are the publishers' own and reject the one that is not (../shared's PneumoniaMNIST lacks the
// official test split on purpose, so MedMNIST's MD5 must refuse it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogEntry } from '../../../src/data/fetch/catalog.js';
import type { CatalogEntry } from '../../../src/data/fetch/catalog-entry.js';
import { FetchError } from '../../../src/data/fetch/errors.js';
import { fetchDataset } from '../../../src/data/fetch/fetch-dataset.js';
import { dataPath, needsData, SHARED_DATA } from '../../helpers/shared-data.js';
import { startLocalServer, type LocalServer } from './local-server.js';

let server: LocalServer;
before(async () => {
  server = await startLocalServer();
  server.folders.set('/shared/', SHARED_DATA);
});
after(() => server.close());

const freshDir = () => mkdtempSync(join(tmpdir(), 'medattn-catalog-'));
const entry = (name: string): CatalogEntry => {
  const e = catalogEntry(name);
  assert.ok(e, name);
  return e;
};

test(
  "MedMNIST's official MD5 rejects ../shared's PneumoniaMNIST (no test split)",
  needsData('pneumoniamnist', 'pneumoniamnist.npz'),
  async () => {
    const dir = freshDir();
    await assert.rejects(
      fetchDataset(entry('pneumoniamnist'), { dir, mirror: `${server.url}/shared/pneumoniamnist/` }),
      (e: Error) =>
        e instanceof FetchError &&
        e.message ===
          `pneumoniamnist: checksum mismatch for ${server.url}/shared/pneumoniamnist/pneumoniamnist.npz: md5 a6f33cc406354162e63cf49dcfa25784, the publisher says 28209eda62fecd6e6a2d98b1501bb15f (download deleted; nothing complete was touched)`,
    );
    assert.ok(!existsSync(join(dir, 'pneumoniamnist')));
  },
);

test(
  "ISBI 2012: all 60 git blob hashes accept ../shared's copy, in the same layout",
  needsData('isbi2012-em'),
  async () => {
    const dir = freshDir();
    const result = await fetchDataset(entry('isbi2012-em'), { dir, mirror: `${server.url}/shared/isbi2012-em` });
    assert.equal(result.files, 60);
    for (const sub of ['image', 'label']) {
      assert.deepEqual(
        readdirSync(join(dir, 'isbi2012-em', sub)).sort(),
        readdirSync(dataPath('isbi2012-em', sub)).sort(),
      );
    }
    assert.deepEqual(
      readFileSync(join(dir, 'isbi2012-em', 'label', '17.png')),
      readFileSync(dataPath('isbi2012-em', 'label', '17.png')),
    );
  },
);

test(
  "BCCD: the pinned commit's blob hashes accept every file ../shared has (train and val; test is held out there)",
  needsData('bccd'),
  async () => {
    const bccd = entry('bccd');
    const present = bccd.files.filter((f) => existsSync(dataPath('bccd', f.remote)));
    assert.equal(bccd.files.length, 732);
    assert.equal(present.length, 586);
    const dir = freshDir();
    await fetchDataset({ ...bccd, files: present }, { dir, mirror: `${server.url}/shared/bccd`, concurrency: 8 });
    assert.deepEqual(readdirSync(join(dir, 'bccd')).sort(), [
      '.medattn-fetch.json',
      'Annotations',
      'ImageSets',
      'JPEGImages',
    ]);
    assert.deepEqual(
      readdirSync(join(dir, 'bccd', 'JPEGImages')).sort(),
      readdirSync(dataPath('bccd', 'JPEGImages')).sort(),
    );
  },
);

test(
  "PhysioNet 2012: the published SHA-256 of Outcomes-a.txt accepts ../shared's copy",
  needsData('physionet2012', 'Outcomes-a.txt'),
  async () => {
    const physionet = entry('physionet2012');
    const outcomes = physionet.files.filter((f) => f.remote === 'Outcomes-a.txt');
    const dir = freshDir();
    await fetchDataset({ ...physionet, files: outcomes }, { dir, mirror: `${server.url}/shared/physionet2012/` });
    assert.deepEqual(
      readFileSync(join(dir, 'physionet2012', 'Outcomes-a.txt')),
      readFileSync(dataPath('physionet2012', 'Outcomes-a.txt')),
    );
  },
);
