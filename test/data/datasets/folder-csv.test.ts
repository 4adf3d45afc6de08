// Folder-of-classes and CSV-manifest datasets built in a temp dir from ISBI- and DRIVE-layout files that the
// test writes with Pillow (PNG, RGB TIFF), so it runs without ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataset, classCounts, SkippedSampleError } from '../../../src/data/datasets/index.js';
import { readImageFile } from '../../../src/data/io/image-file.js';
import { writeDriveLike, writeIsbiLike } from '../../fixtures/synthetic-pairs.js';
import { oneLine, sum, tempDir } from './helpers.js';

const ISBI = tempDir('isbi-like');
writeIsbiLike(ISBI, 4);
const DRIVE = tempDir('drive-like');
writeDriveLike(DRIVE, [21]);

/** root/train/<class>/ and root/val/<class>/ with gray PNGs (ISBI layout) and RGB TIFFs (DRIVE layout). */
function makeFolders(): string {
  const root = tempDir('folder');
  const put = (split: string, cls: string, files: Array<[string, string]>) => {
    mkdirSync(join(root, split, cls), { recursive: true });
    for (const [from, to] of files) copyFileSync(from, join(root, split, cls, to));
  };
  put('train', 'membrane', [
    [join(ISBI, 'image/0.png'), 'a.png'],
    [join(ISBI, 'image/1.png'), 'b.png'],
    [join(ISBI, 'image/2.png'), 'c.png'],
  ]);
  put('train', 'fundus', [[join(DRIVE, 'images/21_training.tif'), '21.tif']]);
  put('train', 'Labels', [[join(ISBI, 'label/0.png'), '0.png']]);
  writeFileSync(join(root, 'train/membrane/notes.txt'), 'not an image');
  put('val', 'membrane', [[join(ISBI, 'image/3.png'), 'd.png']]);
  put('val', 'fundus', []);
  return root;
}

test('folder of classes: classes sorted, labels by folder, images decoded, other files ignored', async () => {
  const root = makeFolders();
  const ds = await createDataset({ kind: 'folder', root, split: 'train' });
  // Python's sorted(): upper case first, as Keras and torchvision order classes.
  assert.deepEqual(ds.classNames, ['Labels', 'fundus', 'membrane']);
  assert.equal(ds.length, 5);
  assert.deepEqual(ds.ids(), ['Labels/0.png', 'fundus/21.tif', 'membrane/a.png', 'membrane/b.png', 'membrane/c.png']);
  assert.deepEqual(Array.from(ds.labels()!), [0, 1, 2, 2, 2]);
  assert.deepEqual(classCounts(ds.labels()!), [1, 1, 3]);
  const fundus = await ds.get(1);
  assert.deepEqual(fundus.image.shape, [3, 44, 41]);
  assert.equal(fundus.label, 1);
  const em = await ds.get(3);
  assert.deepEqual(em.image.shape, [1, 32, 32]);
  assert.deepEqual(em.image.data, (await readImageFile(join(ISBI, 'image/1.png'))).data);
  // channels: 3 makes a gray file RGB so mixed folders batch.
  const rgb = await createDataset({ kind: 'folder', root, split: 'train', channels: 3, classNames: ['membrane'] });
  assert.equal(rgb.length, 3);
  assert.deepEqual((await rgb.get(0)).image.shape, [3, 32, 32]);
});

test('empty class folder: one-line error naming the folder', async () => {
  const root = makeFolders();
  await assert.rejects(createDataset({ kind: 'folder', root, split: 'val' }, { skipBad: true }), (e: Error) =>
    oneLine(e).startsWith(`${join(root, 'val/fundus')}: class folder 'fundus' has no image files (.png, .jpg,`),
  );
  await assert.rejects(
    createDataset({ kind: 'folder', root, split: 'test' }),
    (e: Error) => oneLine(e) === `${join(root, 'test')}: split folder 'test' not found (ENOENT)`,
  );
});

test('corrupted image in a class folder: error naming it, or skipped with skipBad', async () => {
  const root = makeFolders();
  const bad = join(root, 'train/membrane/b.png');
  writeFileSync(bad, readFileSync(bad).subarray(0, readFileSync(bad).length >> 1));
  const strict = await createDataset({ kind: 'folder', root, split: 'train' });
  await assert.rejects(strict.get(3), (e: Error) => oneLine(e).startsWith(`${bad}: cannot decode image (`));
  const lenient = await createDataset({ kind: 'folder', root, split: 'train', skipBad: true });
  await assert.rejects(lenient.get(3), SkippedSampleError);
  assert.deepEqual((await lenient.get(4)).image.shape, [1, 32, 32]);
  assert.deepEqual(
    lenient.skipped().map((s) => s.file),
    [bad],
  );
});

test('CSV manifest: relative paths, class names, masks, quoted extra columns', async () => {
  const dir = tempDir('csv');
  mkdirSync(join(dir, 'img'));
  for (const i of [0, 1, 2]) {
    copyFileSync(join(ISBI, `image/${i}.png`), join(dir, `img/${i}.png`));
    copyFileSync(join(ISBI, `label/${i}.png`), join(dir, `img/${i}_mask.png`));
  }
  const csv = join(dir, 'manifest.csv');
  writeFileSync(
    csv,
    '\ufeffpath,label,mask,site,note\r\n' +
      'img/0.png,tumour,img/0_mask.png,A,"first, with a comma"\r\n' +
      'img/1.png,normal,img/1_mask.png,B,"says ""hi"""\r\n' +
      'img/2.png,tumour,,A,\r\n',
  );
  const ds = await createDataset({ kind: 'csv', file: csv });
  assert.equal(ds.length, 3);
  assert.deepEqual(ds.classNames, ['normal', 'tumour']);
  assert.deepEqual(Array.from(ds.labels()!), [1, 0, 1]);
  assert.deepEqual(ds.ids(), ['img/0.png', 'img/1.png', 'img/2.png']);
  const s0 = await ds.get(0);
  assert.deepEqual(s0.extra, { site: 'A', note: 'first, with a comma' });
  assert.equal(sum(s0.mask!.data), sum((await readImageFile(join(ISBI, 'label/0.png'))).data) / 255);
  assert.equal((await ds.get(1)).extra!.note, 'says "hi"');
  assert.equal((await ds.get(2)).mask, undefined);
  assert.equal(ds.describe().kind, 'csv');
  assert.deepEqual((await createDataset(ds.describe())).classNames, ['normal', 'tumour']);
});

test('CSV manifest errors: missing file names the file and the manifest line; bad label; skipBad', async () => {
  const dir = tempDir('csv');
  copyFileSync(join(ISBI, 'image/0.png'), join(dir, '0.png'));
  const csv = join(dir, 'm.csv');
  writeFileSync(csv, 'path,label\n0.png,1\nmissing.png,0\n');
  await assert.rejects(
    createDataset({ kind: 'csv', file: csv }),
    (e: Error) => oneLine(e) === `${join(dir, 'missing.png')}: file not found (listed in ${csv} line 3)`,
  );
  const ds = await createDataset({ kind: 'csv', file: csv }, { skipBad: true });
  assert.equal(ds.length, 1);
  assert.deepEqual(ds.classNames, ['class 0', 'class 1']);
  assert.deepEqual(ds.skipped(), [
    { file: join(dir, 'missing.png'), reason: `file not found (listed in ${csv} line 3)` },
  ]);
  writeFileSync(csv, 'path,label\n0.png,cat\n');
  await assert.rejects(
    createDataset({ kind: 'csv', file: csv, classNames: ['dog'] }),
    (e: Error) => oneLine(e) === `${csv}: line 2: label 'cat' is not one of dog`,
  );
  writeFileSync(csv, 'file,label\n0.png,1\n');
  await assert.rejects(
    createDataset({ kind: 'csv', file: csv }),
    (e: Error) => oneLine(e) === `${csv}: no 'path' column (columns: file, label)`,
  );
});
