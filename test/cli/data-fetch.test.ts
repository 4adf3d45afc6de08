// `medattn data list`, `medattn data fetch` and `--data-root` through the command line: a local HTTP server on
// 127.0.0.1 stands in for the publishers; the shipped config trains and evaluates on a data root the test writes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsData, SHARED_DATA } from '../helpers/shared-data.js';
import { writeTinyMedmnist } from '../helpers/tiny-medmnist.js';
import { startLocalServer, type LocalServer } from '../data/fetch/local-server.js';
import { asyncCliRunner } from '../helpers/cli.js';

const medattn = asyncCliRunner({ threads: 1 });

let server: LocalServer;
before(async () => {
  server = await startLocalServer();
  server.folders.set('/shared/', SHARED_DATA);
});
after(() => server.close());

const fresh = (what: string) => mkdtempSync(join(tmpdir(), `medattn-cli-${what}-`));

test('data list names every fetchable data set and says DRIVE needs registration', async () => {
  const r = await medattn('data', 'list');
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['pneumoniamnist', 'bccd', 'physionet2012', 'isbi2012-em'])
    assert.match(r.stdout, new RegExp(`^${name} `, 'm'));
  assert.match(r.stdout, /^drive .*needs registration/m);
  const json = JSON.parse((await medattn('data', 'list', '--json')).stdout);
  const pneumonia = json.fetch.find((e: { name: string }) => e.name === 'pneumoniamnist');
  assert.deepEqual(pneumonia.files[0].checksum, { algorithm: 'md5', value: '28209eda62fecd6e6a2d98b1501bb15f' });
  assert.match(pneumonia.checksumSource, /medmnist\/info\.py/);
});

test('unknown and unfetchable names are one line and exit 1', async () => {
  const unknown = await medattn('data', 'fetch', 'nosuch', '--dir', fresh('unknown'));
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    "medattn: data fetch: unknown data set 'nosuch'; known: pneumoniamnist, bccd, physionet2012, isbi2012-em (medattn data list)\n",
  );
  const drive = await medattn('data', 'fetch', 'drive', '--dir', fresh('drive'));
  assert.equal(drive.code, 1);
  assert.match(drive.stderr, /^medattn: data fetch: drive cannot be fetched: needs registration[^\n]*\n$/);
});

test('a server error and a checksum mismatch through --mirror are one line, exit 1, and leave no data set folder', async () => {
  const dir = fresh('errors');
  const notFound = await medattn(
    'data',
    'fetch',
    'pneumoniamnist',
    '--dir',
    dir,
    '--mirror',
    `${server.url}/nothing-here`,
  );
  assert.equal(notFound.code, 1);
  assert.equal(
    notFound.stderr.split('\n').at(-2),
    `medattn: pneumoniamnist: ${server.url}/nothing-here/pneumoniamnist.npz: HTTP 404 Not Found`,
  );
  const mirror = fresh('mirror');
  writeFileSync(join(mirror, 'pneumoniamnist.npz'), "not the publisher's file");
  const mismatch = await medattn('data', 'fetch', 'pneumoniamnist', '--dir', dir, '--mirror', mirror);
  assert.equal(mismatch.code, 1);
  assert.match(
    mismatch.stderr.split('\n').at(-2) ?? '',
    /^medattn: pneumoniamnist: checksum mismatch for .*pneumoniamnist\.npz: md5 [0-9a-f]{32}, the publisher says 28209eda62fecd6e6a2d98b1501bb15f/,
  );
  assert.deepEqual(readdirSync(dir), ['.medattn-fetch']);
});

test(
  'data fetch isbi2012-em from a mirror prints the folder; run again, it is already there',
  needsData('isbi2012-em'),
  async () => {
    const dir = fresh('isbi');
    const r = await medattn(
      'data',
      'fetch',
      'isbi2012-em',
      '--dir',
      dir,
      '--mirror',
      `${server.url}/shared/isbi2012-em/`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${join(dir, 'isbi2012-em')}\n`);
    // Not a terminal: one line when it starts and one when it ends, no progress bar.
    assert.match(r.stderr, /^isbi2012-em: fetching into .*\nisbi2012-em: 60 files, 6\.\d MB, checksums ok\n$/);
    assert.equal(readdirSync(join(dir, 'isbi2012-em', 'image')).length, 30);
    const again = await medattn(
      'data',
      'fetch',
      'isbi2012-em',
      '--dir',
      dir,
      '--mirror',
      `${server.url}/shared/isbi2012-em/`,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /isbi2012-em: already fetched\n$/);
  },
);

test('--data-root: the shipped config trains on a data root, evaluate reads {dataRoot}/ paths, and a bad root is one line', async () => {
  const root = fresh('root');
  mkdirSync(join(root, 'pneumoniamnist'));
  writeTinyMedmnist(join(root, 'pneumoniamnist', 'pneumoniamnist.npz'), { train: { n: 16 }, val: { n: 8 } }, 28);
  const out = join(fresh('run'), 'run');
  const sets = [
    'training.epochs=1',
    'training.batchSize=8',
    'training.workers=0',
    'training.maxMinutes=2',
    'report.samples=1',
  ].flatMap((s) => ['--set', s]);
  const trained = await medattn(
    'train',
    '--config',
    'configs/pneumoniamnist.json',
    '--data-root',
    root,
    '--out',
    out,
    ...sets,
  );
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /training on 16 samples .* validating on 8/);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.data.train.file, join(root, 'pneumoniamnist', 'pneumoniamnist.npz'));
  const evaluated = await medattn(
    'evaluate',
    '--run',
    out,
    '--data',
    '{dataRoot}/pneumoniamnist/pneumoniamnist.npz',
    '--split',
    'val',
    '--data-root',
    root,
    '--json',
  );
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal(JSON.parse(evaluated.stdout).n, 8);

  const missing = await medattn(
    'train',
    '--config',
    'configs/pneumoniamnist.json',
    '--data-root',
    join(root, 'absent'),
  );
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `medattn: --data-root ${join(root, 'absent')}: no such folder\n`);
  const empty = fresh('empty');
  const notFetched = await medattn('cv', '--config', 'configs/pneumoniamnist.json', '--data-root', empty);
  assert.equal(notFetched.code, 1);
  assert.match(
    notFetched.stderr,
    new RegExp(
      `^medattn: configs/pneumoniamnist.json: data.train.file: path does not exist: ${empty}/pneumoniamnist/pneumoniamnist.npz \\(data root ${empty}: .*run medattn data fetch pneumoniamnist\\)\\n$`,
    ),
  );
});
