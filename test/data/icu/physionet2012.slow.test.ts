// Set A (4,000 records) parsed without the cache against an independent Python parse, and the physionet2012
// dataset kind's stratified folds. Slow: about 10 s alone, over a minute on a loaded machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIcuRecords } from '../../../src/data/icu/physionet2012-set.js';
import { createDataset } from '../../../src/data/datasets/index.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';
import { pythonReference } from '../../metrics/python-reference.js';

test(
  'set A: every record parses; counts and sums match an independent Python parse',
  needsData('physionet2012'),
  async () => {
    const folder = dataPath('physionet2012', 'set-a');
    const set = loadIcuRecords(folder, { cacheDir: false });
    assert.equal(set.records.length, 4000);
    const ref = pythonReference(
      `import json,sys,os
d=json.load(sys.stdin); n=0; s=0.0; ages=0.0
for f in sorted(os.listdir(d)):
  seen=set()
  for l in open(os.path.join(d,f)).read().splitlines()[1:]:
    t,p,v=l.split(','); v=float(v)
    if p=='RecordID': continue
    if t=='00:00' and p in ('Age','Gender','Height','ICUType','Weight') and p not in seen:
      seen.add(p)
      if p=='Age': ages+=v
      continue
    if v==-1: continue
    n+=1; s+=v
print(json.dumps({'n':n,'sum':s,'ages':ages}))`,
      folder,
    );
    const n = set.records.reduce((a, r) => a + r.values.length, 0);
    const sum = set.records.reduce((a, r) => a + r.values.reduce((b, v) => b + v, 0), 0);
    const ages = set.records.reduce((a, r) => a + r.descriptors[0], 0);
    assert.equal(n, ref.n);
    assert.ok(Math.abs(sum - ref.sum) / ref.sum < 1e-6, `${sum} vs ${ref.sum}`);
    assert.equal(ages, ref.ages);
    // the dataset kind: a stratified fold of set A (554 deaths in 4,000)
    const spec = { kind: 'physionet2012', records: folder, outcomes: dataPath('physionet2012', 'Outcomes-a.txt') };
    const val = await createDataset({ ...spec, fold: { k: 5, index: 2, part: 'val' } } as never);
    const train = await createDataset({ ...spec, fold: { k: 5, index: 2, part: 'train' } } as never);
    assert.equal(val.length, 800);
    assert.equal(train.length, 3200);
    const deaths = (l: Int32Array) => l.reduce((a, b) => a + b, 0);
    assert.ok([110, 111].includes(deaths(val.labels()!)));
    assert.equal(deaths(val.labels()!) + deaths(train.labels()!), 554);
    assert.equal(new Set([...val.ids(), ...train.ids()]).size, 4000);
    const sample = await val.get(0);
    assert.deepEqual(sample.image.shape, [3, 49, 37]);
  },
);
