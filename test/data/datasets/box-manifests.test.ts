// The `boxCsv` and `coco` dataset kinds: BCCD's VOC boxes written to a CSV (one row per box) and a COCO-JSON
// file by Python's ElementTree give the same samples as the `voc` kind reads; the bad inputs the issue names
// (box outside the image, xmin > xmax, image without annotation) are one-line errors or listed skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, type BoxDataset, type DatasetSpec } from '../../../src/data/datasets/index.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';
import { pythonReference } from '../../metrics/python-reference.js';
import { writeTinyVoc } from '../../fixtures/tiny-voc.js';

// Independent of our XML reader: ElementTree, one CSV row per object, COCO bbox = [x, y, w, h].
const WRITE_SCRIPT = `
import csv, json, sys, xml.etree.ElementTree as ET
root, split, out = json.load(sys.stdin)
names = ['RBC', 'WBC', 'Platelets']
images, anns, rows = [], [], []
for n, i in enumerate(open(f'{root}/ImageSets/Main/{split}.txt').read().split()):
    a = ET.parse(f'{root}/Annotations/{i}.xml').getroot()
    w, h = int(a.find('size/width').text), int(a.find('size/height').text)
    images.append({'id': 100 + n, 'file_name': i + '.jpg', 'width': w, 'height': h})
    for o in a.findall('object'):
        x1, y1, x2, y2 = [float(o.find('bndbox/' + k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax')]
        c = o.find('name').text
        rows.append([i + '.jpg', x1, y1, x2, y2, c])
        anns.append({'id': len(anns) + 1, 'image_id': 100 + n, 'category_id': names.index(c) + 1,
                     'bbox': [x1, y1, x2 - x1, y2 - y1], 'area': (x2 - x1) * (y2 - y1), 'iscrowd': 0})
with open(f'{out}/boxes.csv', 'w', newline='') as f:
    wr = csv.writer(f)
    wr.writerow(['image', 'xmin', 'ymin', 'xmax', 'ymax', 'class'])
    wr.writerows(rows)
json.dump({'images': images, 'annotations': anns,
           'categories': [{'id': k + 1, 'name': c} for k, c in enumerate(names)]}, open(f'{out}/coco.json', 'w'))
print(json.dumps({'rows': len(rows), 'images': len(images)}))
`;

function sameSamples(a: BoxDataset<DatasetSpec>, b: BoxDataset<DatasetSpec>): void {
  assert.equal(a.length, b.length);
  assert.deepEqual(a.ids(), b.ids());
  assert.deepEqual(a.classNames, b.classNames);
  for (let i = 0; i < a.length; i++) assert.deepEqual(a.boxes(i), b.boxes(i), `sample ${a.ids()[i]}`);
  assert.equal(a.droppedBoxes(), b.droppedBoxes());
}

test('BCCD val as box CSV and COCO JSON: the same samples as the VOC reading', needsData('bccd'), async () => {
  const root = dataPath('bccd');
  const out = mkdtempSync(join(tmpdir(), 'box-manifests-'));
  try {
    const written = pythonReference(WRITE_SCRIPT, [root, 'val', out]);
    const classes = ['RBC', 'WBC', 'Platelets'];
    const voc = (await createDataset({ kind: 'voc', root, split: 'val', classes })) as BoxDataset<DatasetSpec>;
    const images = join(root, 'JPEGImages');
    const csv = (await createDataset({
      kind: 'boxCsv',
      file: join(out, 'boxes.csv'),
      images,
      classes,
    })) as BoxDataset<DatasetSpec>;
    const coco = (await createDataset({
      kind: 'coco',
      file: join(out, 'coco.json'),
      images,
    })) as BoxDataset<DatasetSpec>;
    assert.equal(voc.length, 87);
    assert.equal(written.images, 87);
    // Every written box but the zero-area ones (dropped by all three) is a sample box.
    const boxes = Array.from({ length: voc.length }, (_, i) => voc.boxes(i).classes.length).reduce((s, n) => s + n);
    assert.equal(boxes + voc.droppedBoxes(), written.rows);
    sameSamples(csv, voc);
    sameSamples(coco, voc);
    // Decoded samples too (pixels, boxes, imageSize) for the first image.
    for (const ds of [csv, coco]) {
      const [s, v] = [await ds.get(0), await voc.get(0)];
      assert.deepEqual(s, v);
    }
    assert.deepEqual(coco.describe(), { kind: 'coco', file: join(out, 'coco.json'), images });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

async function errorOf(spec: DatasetSpec): Promise<MedattnDataError> {
  const err = await createDataset(spec).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MedattnDataError, String(err));
  assert.ok(!err.message.includes('\n'), err.message);
  return err;
}

test('bad box CSV and COCO input: one-line errors naming file and box, or listed skips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'box-bad-'));
  try {
    // Four 48x40 images: good, swapped (xmin > xmax), outside (xmax 49 > 48), orphan (no box).
    await writeTinyVoc(dir, { good: [{ name: 'cell', box: [1, 1, 9, 9] }], swapped: [], outside: [], orphan: [] }, {});
    const images = join(dir, 'JPEGImages');
    const csvFile = join(dir, 'boxes.csv');
    const csv = (rows: string[]) =>
      writeFileSync(csvFile, ['image,xmin,ymin,xmax,ymax,class', 'good.png,1,1,9,9,cell', ...rows].join('\n'));
    const csvCases: [string, RegExp][] = [
      [
        'swapped.png,20,5,10,15,cell',
        /boxes\.csv: line 3 \(cell\) swapped\.png: box \[20, 5, 10, 15\] has xmin > xmax/,
      ],
      [
        'outside.png,30,5,49,15,cell',
        /boxes\.csv: line 3 \(cell\) outside\.png: box \[30, 5, 49, 15\] reaches outside the 48x40 image/,
      ],
      ['orphan.png,,,,,', /orphan\.png: image without annotation \(no box in .*boxes\.csv\)/],
      ['nosuch.png,1,1,2,2,cell', /nosuch\.png: image not found \(listed in .*boxes\.csv line 3\)/],
      ['good.png,1,x,2,2,cell', /boxes\.csv: line 3 \(cell\): ymin 'x' is not a number/],
    ];
    for (const [row, message] of csvCases) {
      csv([row]);
      assert.match((await errorOf({ kind: 'boxCsv', file: csvFile, images })).message, message);
    }
    writeFileSync(csvFile, 'image,x0,ymin,xmax,ymax,class\n');
    assert.match((await errorOf({ kind: 'boxCsv', file: csvFile })).message, /boxes\.csv: no 'xmin' column/);
    csv(csvCases.slice(0, 3).map(([r]) => r));
    const skipping = await createDataset({ kind: 'boxCsv', file: csvFile, images, skipBad: true });
    assert.deepEqual(skipping.ids(), ['good']);
    assert.deepEqual(
      skipping.skipped().map((s) => s.reason.split(':')[0]),
      [
        'line 3 (cell) swapped.png',
        'line 4 (cell) outside.png',
        'image without annotation (no box in ' + csvFile + ')',
      ],
    );

    const cocoFile = join(dir, 'coco.json');
    const image = (id: number, name: string) => ({ id, file_name: `${name}.png`, width: 48, height: 40 });
    const coco = (anns: Array<{ image_id: number; bbox: number[] }>, imgs = ['good', 'swapped', 'outside', 'orphan']) =>
      writeFileSync(
        cocoFile,
        JSON.stringify({
          images: imgs.map((n, i) => image(i + 1, n)),
          annotations: [{ image_id: 1, bbox: [1, 1, 8, 8] }, ...anns].map((a, i) => ({
            id: i + 1,
            category_id: 7,
            ...a,
          })),
          categories: [{ id: 7, name: 'cell' }],
        }),
      );
    const bad = [
      { image_id: 2, bbox: [20, 5, -10, 10] },
      { image_id: 3, bbox: [30, 5, 19, 10] },
    ];
    coco([bad[0]], ['good', 'swapped']);
    assert.match(
      (await errorOf({ kind: 'coco', file: cocoFile, images })).message,
      /coco\.json: annotation 2 \(cell, bbox \[20, 5, -10, 10\]\): box \[20, 5, 10, 15\] has xmin > xmax/,
    );
    coco([{ ...bad[1], image_id: 2 }], ['good', 'outside']);
    assert.match(
      (await errorOf({ kind: 'coco', file: cocoFile, images })).message,
      /annotation 2 \(cell, bbox \[30, 5, 19, 10\]\): box \[30, 5, 49, 15\] reaches outside the 48x40 image/,
    );
    coco([], ['good', 'orphan']);
    assert.match(
      (await errorOf({ kind: 'coco', file: cocoFile, images })).message,
      /orphan\.png: image without annotation \(image 2 has none in .*coco\.json\)/,
    );
    coco([{ image_id: 9, bbox: [1, 1, 2, 2] }], ['good']);
    assert.match(
      (await errorOf({ kind: 'coco', file: cocoFile, images })).message,
      /annotation 2: image_id 9 is not in images/,
    );
    writeFileSync(cocoFile, JSON.stringify({ images: [], annotations: [] }));
    assert.match((await errorOf({ kind: 'coco', file: cocoFile })).message, /coco\.json: not COCO JSON: categories:/);
    coco(bad);
    const cocoSkip = await createDataset({ kind: 'coco', file: cocoFile, images, skipBad: true });
    assert.deepEqual(cocoSkip.ids(), ['good']);
    assert.deepEqual(
      cocoSkip.skipped().map((s) => s.file.split('/').pop()),
      ['coco.json', 'coco.json', 'orphan.png'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
