// The data root: `{dataRoot}/...` paths in configs resolve under MEDATTN_DATA (or ../shared/data beside the
// repository), so the shipped configs load a user's fetched copy without edits; other paths stay relative to the config.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SHARED_DATA_ROOT, dataRoot, resolveDataPath, userDataRoot } from '../../../src/data/fetch/data-root.js';
import { loadConfig } from '../../../src/train/config.js';
import { dataArgumentToSpec } from '../../../src/train/run-folder.js';
import { ConfigError } from '../../../src/train/config-error.js';

const saved = process.env.MEDATTN_DATA;
afterEach(() => {
  if (saved === undefined) delete process.env.MEDATTN_DATA;
  else process.env.MEDATTN_DATA = saved;
});

test('resolveDataPath: {dataRoot}/ under the root, absolute as is, anything else relative to the config folder', () => {
  assert.equal(resolveDataPath('{dataRoot}/pneumoniamnist/p.npz', '/configs', '/data'), '/data/pneumoniamnist/p.npz');
  assert.equal(resolveDataPath('{dataRoot}', '/configs', '/data'), '/data');
  assert.equal(resolveDataPath('/elsewhere/p.npz', '/configs', '/data'), '/elsewhere/p.npz');
  assert.equal(resolveDataPath('../data/p.npz', '/work/configs', '/data'), '/work/data/p.npz');
  assert.equal(resolveDataPath('{dataRootX}/p.npz', '/configs', '/data'), '/configs/{dataRootX}/p.npz');
});

test('the data root is MEDATTN_DATA (resolved against the working directory), else ../shared/data beside the repository when it exists, else the user data folder', () => {
  assert.equal(SHARED_DATA_ROOT, resolve('..', 'shared', 'data'));
  const fallback = existsSync(SHARED_DATA_ROOT) ? SHARED_DATA_ROOT : join(homedir(), '.local', 'share', 'medattn');
  assert.equal(dataRoot({}), fallback);
  assert.equal(dataRoot({ MEDATTN_DATA: '' }), fallback);
  assert.equal(userDataRoot({}), join(homedir(), '.local', 'share', 'medattn'));
  assert.equal(userDataRoot({ XDG_DATA_HOME: '/xdg' }), '/xdg/medattn');
  assert.equal(userDataRoot({ XDG_DATA_HOME: 'relative' }), join(homedir(), '.local', 'share', 'medattn'));
  assert.equal(dataRoot({ MEDATTN_DATA: '/srv/medical' }), '/srv/medical');
  assert.equal(dataRoot({ MEDATTN_DATA: 'my-data' }), resolve('my-data'));
});

test('the shipped configs read a fetched copy under MEDATTN_DATA without edits', () => {
  const root = mkdtempSync(join(tmpdir(), 'medattn-root-'));
  mkdirSync(join(root, 'pneumoniamnist'));
  writeFileSync(join(root, 'pneumoniamnist', 'pneumoniamnist.npz'), ''); // loading a config only checks that paths exist
  for (const sub of ['images', '1st_manual', 'mask'])
    mkdirSync(join(root, 'drive', 'training', sub), { recursive: true });
  process.env.MEDATTN_DATA = root;
  const pneumonia = loadConfig('configs/pneumoniamnist.json');
  assert.equal((pneumonia.data.train as { file: string }).file, join(root, 'pneumoniamnist', 'pneumoniamnist.npz'));
  assert.equal((pneumonia.data.val as { file: string }).file, join(root, 'pneumoniamnist', 'pneumoniamnist.npz'));
  const drive = loadConfig('configs/drive.json');
  const train = drive.data.train as { of: { images: string; masks: string; roi: string } };
  assert.deepEqual(
    [train.of.images, train.of.masks, train.of.roi],
    ['images', '1st_manual', 'mask'].map((s) => join(root, 'drive', 'training', s)),
  );
  assert.equal((drive.data.val as { roi: string }).roi, join(root, 'drive', 'training', 'mask'));
});

test('a missing data set under the data root names the root and how to get it', () => {
  const root = mkdtempSync(join(tmpdir(), 'medattn-empty-root-'));
  process.env.MEDATTN_DATA = root;
  assert.throws(
    () => loadConfig('configs/pneumoniamnist.json'),
    (e: Error) =>
      e instanceof ConfigError &&
      e.message ===
        `configs/pneumoniamnist.json: data.train.file: path does not exist: ${root}/pneumoniamnist/pneumoniamnist.npz (data root ${root}: give --data-root DIR or MEDATTN_DATA, or run medattn data fetch pneumoniamnist)`,
  );
  assert.throws(
    () => loadConfig('configs/drive.json'),
    /data\.train\.of\.images: .* \(data root .*: give --data-root DIR or MEDATTN_DATA, or drive: needs registration/,
  );
});

test('paths without the prefix stay relative to the config file, whatever the data root', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-relative-'));
  writeFileSync(join(dir, 'local.npz'), '');
  const config = join(dir, 'c.json');
  const spec = { kind: 'medmnist', file: 'local.npz', split: 'train' };
  writeFileSync(
    config,
    JSON.stringify({
      task: 'classification',
      data: { train: spec, val: { ...spec, split: 'val' } },
      model: { name: 'attention_cnn' },
    }),
  );
  process.env.MEDATTN_DATA = '/nonexistent-root';
  assert.equal((loadConfig(config).data.train as { file: string }).file, join(dir, 'local.npz'));
});

test('evaluate --data SPEC.json: {dataRoot}/ paths inside the description read under the data root, others relative to it', () => {
  const root = mkdtempSync(join(tmpdir(), 'medattn-spec-root-'));
  mkdirSync(join(root, 'drive', 'images'), { recursive: true });
  mkdirSync(join(root, 'drive', 'masks'), { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'medattn-spec-'));
  mkdirSync(join(dir, 'roi'));
  const specFile = join(dir, 'drive-val.json');
  const spec = { kind: 'pairs', images: '{dataRoot}/drive/images', masks: '{dataRoot}/drive/masks', roi: 'roi' };
  writeFileSync(specFile, JSON.stringify(spec));
  process.env.MEDATTN_DATA = root;
  const resolved = dataArgumentToSpec(specFile, undefined, 'segmentation') as unknown as typeof spec;
  assert.deepEqual(
    [resolved.images, resolved.masks, resolved.roi],
    [join(root, 'drive', 'images'), join(root, 'drive', 'masks'), join(dir, 'roi')],
  );
  process.env.MEDATTN_DATA = mkdtempSync(join(tmpdir(), 'medattn-spec-empty-'));
  assert.throws(
    () => dataArgumentToSpec(specFile, undefined, 'segmentation'),
    (e: Error) =>
      e instanceof ConfigError && /dataset\.images: path does not exist: .*drive\/images \(data root /.test(e.message),
  );
});
