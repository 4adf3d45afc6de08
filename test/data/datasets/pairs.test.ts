// Image/mask pair datasets: DRIVE- and ISBI-layout fixtures the test writes with Pillow (always), the real DRIVE
// and ISBI 2012 EM (when ../shared/data is there), each checked against PIL/numpy, and their bad-input errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDataset,
  PairsDataset,
  SkippedSampleError,
  caseIdOf,
  type PairsSpec,
} from '../../../src/data/datasets/index.js';
import { writeDriveLike, writeIsbiLike } from '../../fixtures/synthetic-pairs.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';
import { oneLine, python, sum, tempDir } from './helpers.js';

const DRIVE = dataPath('drive/training');
const ISBI = dataPath('isbi2012-em');
const driveSpec = {
  kind: 'pairs',
  images: join(DRIVE, 'images'),
  masks: join(DRIVE, '1st_manual'),
  roi: join(DRIVE, 'mask'),
} as const;

/** PIL's foreground counts of the real masks, read once by the first real-data test that needs them. */
type RealCounts = { vessels: Record<string, number>; fov: Record<string, number>; isbi0: number; isbi29: number };
let realCounts: RealCounts | undefined;
function ref(): RealCounts {
  realCounts ??= python<RealCounts>(`
import json, numpy as np
from PIL import Image
d = ${JSON.stringify(DRIVE)}
count = lambda p: int((np.array(Image.open(p).convert('L')) > 0).sum())
print(json.dumps({
  'vessels': {str(i): count(f'{d}/1st_manual/{i}_manual1.gif') for i in range(21, 41)},
  'fov': {str(i): count(f'{d}/mask/{i}_training_mask.gif') for i in (21, 40)},
  'isbi0': count(${JSON.stringify(ISBI)} + '/label/0.png'), 'isbi29': count(${JSON.stringify(ISBI)} + '/label/29.png')}))`);
  return realCounts;
}

// Fixtures in the two layouts: 20 DRIVE-like cases 21..40 (RGB TIFF, palette GIF masks and fields of view) and
// 30 ISBI-like pairs 0..29 (gray PNG, {0, 255} PNG labels).
const fakeDrive = writeDriveLike(
  tempDir('drive-like'),
  Array.from({ length: 20 }, (_, i) => 21 + i),
);
const fakeIsbi = writeIsbiLike(tempDir('isbi-like'), 30);

test('default case-id rule: leading digits, else the stem up to the first _', () => {
  assert.equal(caseIdOf('21_training.tif'), '21');
  assert.equal(caseIdOf('21_manual1.gif'), '21');
  assert.equal(caseIdOf('7.png'), '7');
  assert.equal(caseIdOf('case_003.png'), 'case');
  assert.equal(caseIdOf('scan.nii.gz'), 'scan');
  assert.equal(caseIdOf('ISIC_0000001_segmentation.png', /^ISIC_(\d+)/), '0000001');
});

test('DRIVE-like fixture: 20 cases, RGB [3,44,41], binary vessel masks with PIL vessel counts, FOV roi', async () => {
  const ds = await createDataset({
    kind: 'pairs',
    images: fakeDrive.images,
    masks: fakeDrive.masks,
    roi: fakeDrive.roi,
  });
  assert.deepEqual(
    ds.ids(),
    Array.from({ length: 20 }, (_, i) => String(21 + i)),
  );
  assert.equal(ds.labels(), undefined);
  for (let i = 0; i < 20; i++) {
    const s = await ds.get(i);
    assert.deepEqual(s.image.shape, [3, 44, 41]);
    assert.deepEqual(s.mask!.shape, [1, 44, 41]);
    assert.deepEqual(new Set(s.mask!.data), new Set([0, 1]), s.id);
    assert.equal(sum(s.mask!.data), fakeDrive.vessels[s.id], `vessel pixels of case ${s.id}`);
    assert.equal(sum(s.roi!.data), fakeDrive.fov[s.id]);
  }
  // The ids option picks cases in the given order.
  const fold = await createDataset({
    kind: 'pairs',
    images: fakeDrive.images,
    masks: fakeDrive.masks,
    ids: ['40', '22'],
  });
  assert.deepEqual(fold.ids(), ['40', '22']);
  assert.equal(sum((await fold.get(0)).mask!.data), fakeDrive.vessels['40']);
});

test('ISBI-like fixture: 30 pairs 0..29, gray [1,32,32], label 255 → 1 (and invertMask gives the rest)', async () => {
  const ds = await createDataset({ kind: 'pairs', images: fakeIsbi.image, masks: fakeIsbi.label });
  assert.deepEqual(
    ds.ids(),
    Array.from({ length: 30 }, (_, i) => String(i)),
  );
  assert.deepEqual((await ds.get(0)).image.shape, [1, 32, 32]);
  assert.equal(sum((await ds.get(0)).mask!.data), fakeIsbi.foreground['0']);
  assert.equal(sum((await ds.get(29)).mask!.data), fakeIsbi.foreground['29']);
  const inverted = await createDataset({
    kind: 'pairs',
    images: fakeIsbi.image,
    masks: fakeIsbi.label,
    invertMask: true,
    ids: ['0'],
  });
  assert.equal(sum((await inverted.get(0)).mask!.data), 32 * 32 - fakeIsbi.foreground['0']);
});

test(
  'DRIVE: 20 cases, RGB [3,584,565], binary vessel masks with PIL vessel counts, FOV roi',
  needsData('drive', 'training'),
  async () => {
    const ds = await createDataset(driveSpec);
    assert.equal(ds.length, 20);
    assert.deepEqual(
      ds.ids(),
      Array.from({ length: 20 }, (_, i) => String(21 + i)),
    );
    assert.equal(ds.labels(), undefined);
    for (let i = 0; i < 20; i++) {
      const s = await ds.get(i);
      assert.deepEqual(s.image.shape, [3, 584, 565]);
      assert.deepEqual(s.mask!.shape, [1, 584, 565]);
      assert.deepEqual(new Set(s.mask!.data), new Set([0, 1]), s.id);
      assert.equal(sum(s.mask!.data), ref().vessels[s.id], `vessel pixels of case ${s.id}`);
      if (s.id === '21' || s.id === '40') assert.equal(sum(s.roi!.data), ref().fov[s.id]);
    }
  },
);

test(
  'DRIVE ids option picks a fold in the given order, and describe() rebuilds it',
  needsData('drive', 'training'),
  async () => {
    const ds = await createDataset({ ...driveSpec, ids: ['40', '22'] });
    assert.deepEqual(ds.ids(), ['40', '22']);
    assert.equal(sum((await ds.get(0)).mask!.data), ref().vessels['40']);
    const again = await createDataset(JSON.parse(JSON.stringify(ds.describe())));
    assert.deepEqual(again.ids(), ['40', '22']);
    await assert.rejects(
      createDataset({ ...driveSpec, ids: ['41'] }),
      (e: Error) => oneLine(e) === `dataset spec: ids: no case '41' in ${join(DRIVE, 'images')}`,
    );
  },
);

test(
  'ISBI 2012 EM: 30 pairs 0..29, gray [1,512,512], label 255 → 1 (and invertMask gives membranes)',
  needsData('isbi2012-em'),
  async () => {
    const ds = await createDataset({ kind: 'pairs', images: join(ISBI, 'image'), masks: join(ISBI, 'label') });
    assert.equal(ds.length, 30);
    assert.deepEqual(
      ds.ids(),
      Array.from({ length: 30 }, (_, i) => String(i)),
    );
    const s = await ds.get(0);
    assert.deepEqual(s.image.shape, [1, 512, 512]);
    assert.equal(sum(s.mask!.data), ref().isbi0);
    assert.equal(sum((await ds.get(29)).mask!.data), ref().isbi29);
    const membranes = await createDataset({
      kind: 'pairs',
      images: join(ISBI, 'image'),
      masks: join(ISBI, 'label'),
      invertMask: true,
      ids: ['0'],
    });
    assert.equal(sum((await membranes.get(0)).mask!.data), 512 * 512 - ref().isbi0);
  },
);

/** A small pairs layout in a temp dir from the ISBI-like fixture's files. */
function isbiCopy(cases: number[], labels: number[]): string {
  const dir = tempDir('pairs');
  mkdirSync(join(dir, 'image'));
  mkdirSync(join(dir, 'label'));
  for (const c of cases) copyFileSync(join(fakeIsbi.image, `${c}.png`), join(dir, 'image', `${c}.png`));
  for (const c of labels) copyFileSync(join(fakeIsbi.label, `${c}.png`), join(dir, 'label', `${c}.png`));
  return dir;
}

test('image without its mask: one-line error naming the image, or skipped with skipBad', async () => {
  const dir = isbiCopy([0, 1, 2], [0, 2]);
  const spec = { kind: 'pairs', images: join(dir, 'image'), masks: join(dir, 'label') } as const;
  await assert.rejects(
    createDataset(spec),
    (e: Error) => oneLine(e) === `${join(dir, 'image/1.png')}: no mask for case '1' in ${join(dir, 'label')}`,
  );
  const ds = await createDataset(spec, { skipBad: true });
  assert.deepEqual(ds.ids(), ['0', '2']);
  assert.deepEqual(ds.skipped(), [
    { file: join(dir, 'image/1.png'), reason: `no mask for case '1' in ${join(dir, 'label')}` },
  ]);
  assert.equal((ds.describe() as PairsSpec).skipBad, true);
});

test('image and mask of different sizes: one-line error naming both files', async () => {
  const dir = isbiCopy([0], []);
  copyFileSync(join(fakeDrive.masks, '21_manual1.gif'), join(dir, 'label/0.gif'));
  const ds = await createDataset({ kind: 'pairs', images: join(dir, 'image'), masks: join(dir, 'label') });
  await assert.rejects(
    ds.get(0),
    (e: Error) =>
      oneLine(e) ===
      `${join(dir, 'image/0.png')}: image size 32x32 differs from its mask ${join(dir, 'label/0.gif')} (41x44)`,
  );
});

test('corrupted mask: get() throws its one-line decode error; with skipBad a SkippedSampleError and skipped() lists it', async () => {
  const dir = isbiCopy([0, 1], [0, 1]);
  const bytes = readFileSync(join(fakeIsbi.label, '1.png'));
  writeFileSync(join(dir, 'label/1.png'), bytes.subarray(0, bytes.length >> 1)); // cut off mid-IDAT
  const spec = { kind: 'pairs', images: join(dir, 'image'), masks: join(dir, 'label') } as const;
  const strict = await createDataset(spec);
  assert.equal(strict.length, 2); // pixels are only read in get()
  await assert.rejects(strict.get(1), (e: Error) =>
    oneLine(e).startsWith(`${join(dir, 'label/1.png')}: cannot decode image (`),
  );
  const lenient = (await createDataset(spec, { skipBad: true })) as PairsDataset;
  assert.equal(sum((await lenient.get(0)).mask!.data), fakeIsbi.foreground['0']);
  await assert.rejects(
    lenient.get(1),
    (e: Error) => e instanceof SkippedSampleError && e.file === join(dir, 'label/1.png'),
  );
  const skipped = lenient.skipped();
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].file, join(dir, 'label/1.png'));
  assert.match(skipped[0].reason, /^cannot decode image \(/);
});

test('caseId rule: must have one capture group; duplicate ids name both files', async () => {
  const spec = { kind: 'pairs', images: fakeIsbi.image, masks: fakeIsbi.label } as const;
  await assert.rejects(
    createDataset({ ...spec, caseId: '^\\d+' }),
    (e: Error) =>
      oneLine(e) === 'dataset spec: caseId: /^\\d+/ must have exactly one capture group (the case id), it has 0',
  );
  await assert.rejects(
    createDataset({ ...spec, caseId: '^(\\d)' }),
    (e: Error) =>
      oneLine(e) ===
      `${join(fakeIsbi.image, '10.png')}: has the same case id '1' as ${join(fakeIsbi.image, '1.png')} (set caseId to a pattern that tells them apart)`,
  );
  const few = await createDataset({ ...spec, caseId: '^(2\\d)\\.png$' });
  assert.deepEqual(few.ids(), ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29']);
});
