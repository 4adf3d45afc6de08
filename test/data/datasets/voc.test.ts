// The `voc` dataset kind: real BCCD annotations (counted independently with Python's ElementTree), a tiny
// generated VOC folder, and the bad inputs the issue names (box outside the image, xmin > xmax, an image
// without annotation) as one-line errors or listed skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, VocDataset, parseVocAnnotation } from '../../../src/data/datasets/index.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';
import { isBoxList } from '../../../src/data/transforms/index.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';
import { pythonReference } from '../../metrics/python-reference.js';
import { vocXml, writeTinyVoc } from '../../fixtures/tiny-voc.js';

const COUNT_SCRIPT = `
import json, sys, xml.etree.ElementTree as ET
root, split = json.load(sys.stdin)
counts, dropped = {}, 0
for i in open(f'{root}/ImageSets/Main/{split}.txt').read().split():
    for o in ET.parse(f'{root}/Annotations/{i}.xml').getroot().findall('object'):
        b = [float(o.find('bndbox/' + k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax')]
        if b[0] == b[2] or b[1] == b[3]:
            dropped += 1
            continue
        counts[o.find('name').text] = counts.get(o.find('name').text, 0) + 1
print(json.dumps({'counts': counts, 'dropped': dropped}))
`;

for (const split of ['train', 'val'])
  test(`BCCD ${split}: ids, class counts and zero-area drops equal ElementTree's`, needsData('bccd'), async () => {
    const root = dataPath('bccd');
    const ds = (await createDataset({ kind: 'voc', root, split, classes: ['RBC', 'WBC', 'Platelets'] })) as VocDataset;
    assert.equal(ds.length, split === 'train' ? 205 : 87);
    const ref = pythonReference(COUNT_SCRIPT, [root, split]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < ds.length; i++)
      for (const c of ds.boxes(i).classes) counts[ds.classNames[c]] = (counts[ds.classNames[c]] ?? 0) + 1;
    assert.deepEqual(counts, ref.counts);
    assert.equal(ds.droppedBoxes(), ref.dropped);
    const s = await ds.get(0);
    assert.deepEqual((s.image as { shape: number[] }).shape, [3, 480, 640]);
    assert.deepEqual(s.imageSize, [480, 640]);
    assert.ok(isBoxList(s.boxes));
  });

test('BCCD BloodImage_00000: the first object is the WBC box [260, 177, 491, 376]', needsData('bccd'), async () => {
  const root = dataPath('bccd');
  const ann = parseVocAnnotation(
    (await import('node:fs')).readFileSync(join(root, 'Annotations', 'BloodImage_00000.xml'), 'utf8'),
    'x.xml',
  );
  assert.equal(ann.width, 640);
  assert.equal(ann.height, 480);
  assert.deepEqual(ann.objects[0], { name: 'WBC', box: [260, 177, 491, 376], difficult: false });
});

test('tiny VOC: boxes and classes in the given class order; default classes sorted', async () => {
  const root = mkdtempSync(join(tmpdir(), 'voc-'));
  try {
    await writeTinyVoc(
      root,
      {
        a: [{ name: 'cat', box: [2, 3, 10, 12] }],
        b: [
          { name: 'dog', box: [5, 5, 20, 30] },
          { name: 'cat', box: [30, 1, 47, 39] },
        ],
      },
      { train: ['a', 'b'] },
    );
    const ds = (await createDataset({ kind: 'voc', root, split: 'train', classes: ['dog', 'cat'] })) as VocDataset;
    const s = await ds.get(1);
    assert.deepEqual(Array.from((s.boxes as { boxes: Float32Array }).boxes), [5, 5, 20, 30, 30, 1, 47, 39]);
    assert.deepEqual(Array.from((s.boxes as { classes: Int32Array }).classes), [0, 1]);
    const sorted = await createDataset({ kind: 'voc', root, split: 'train' });
    assert.deepEqual(sorted.classNames, ['cat', 'dog']);
    assert.deepEqual(sorted.describe(), { kind: 'voc', root, split: 'train' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bad VOC input: one-line errors naming the file, or listed skips with skipBad', async () => {
  const root = mkdtempSync(join(tmpdir(), 'voc-bad-'));
  try {
    await writeTinyVoc(
      root,
      { good: [{ name: 'cell', box: [1, 1, 9, 9] }], swapped: [], outside: [], orphan: [] },
      {
        train: ['good', 'swapped', 'outside', 'orphan'],
        swapped: ['swapped'],
        outside: ['outside'],
        orphan: ['orphan'],
      },
    );
    const ann = (id: string) => join(root, 'Annotations', `${id}.xml`);
    writeFileSync(ann('swapped'), vocXml('swapped.png', 48, 40, [{ name: 'cell', box: [20, 5, 10, 15] }]));
    writeFileSync(ann('outside'), vocXml('outside.png', 48, 40, [{ name: 'cell', box: [30, 5, 49, 15] }]));
    rmSync(ann('orphan'));
    const cases: [string, RegExp][] = [
      ['swapped', /swapped\.xml: object 1 \(cell\): box \[20, 5, 10, 15\] has xmin > xmax/],
      ['outside', /outside\.xml: object 1 \(cell\): box \[30, 5, 49, 15\] reaches outside the 48x40 image/],
      ['orphan', /orphan\.png: image without annotation/],
    ];
    for (const [split, message] of cases) {
      const err = await createDataset({ kind: 'voc', root, split }).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MedattnDataError, String(err));
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
    }
    const ds = await createDataset({ kind: 'voc', root, split: 'train', skipBad: true });
    assert.equal(ds.length, 1);
    assert.deepEqual(
      ds.skipped().map((s) => s.file.split('/').pop()),
      ['swapped.xml', 'outside.xml', 'orphan.png'],
    );
    await assert.rejects(createDataset({ kind: 'voc', root, split: 'nosuch' }), /split: no split file/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
