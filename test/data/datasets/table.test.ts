// The `table` dataset kind: column detection, missing cells as a mask, label classes, the run's schema, one-line
// errors naming file, line and column; the `split` kind; and the real tables of ../shared/data/tabular.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, encodePatient, type TableDataset } from '../../../src/data/index.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-table-'));
function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const small = csv(
  'small.csv',
  [
    'age,sex,glucose,smoker,outcome',
    '50,M,148,yes,pos',
    '31,F,NA,no,neg',
    '?,F,183,,pos',
    '21,M,89,no,neg',
    '33,F,137,yes,pos',
  ].join('\n'),
);

test('table: numeric and categorical columns detected, missing cells masked, larger label value positive', async () => {
  const ds = (await createDataset({ kind: 'table', file: small, label: 'outcome' })) as TableDataset;
  assert.equal(ds.length, 5);
  assert.deepEqual(ds.classNames, ['neg', 'pos']);
  assert.deepEqual(Array.from(ds.labels()), [1, 0, 1, 0, 1]);
  assert.deepEqual(ds.schema.columns, [
    { name: 'age', type: 'numeric' },
    { name: 'sex', type: 'categorical', categories: ['F', 'M'] },
    { name: 'glucose', type: 'numeric' },
    { name: 'smoker', type: 'categorical', categories: ['no', 'yes'] },
  ]);
  const s2 = await ds.get(2); // '?,F,183,,pos'
  assert.deepEqual(s2.image.shape, [2, 4]);
  assert.deepEqual(Array.from(s2.image.data), [0, 0, 183, 0, 1, 0, 0, 1]);
  assert.deepEqual(Array.from((await ds.get(1)).image.data), [31, 0, 0, 0, 0, 0, 1, 0]);
  assert.equal(s2.id, 'line 4');
});

test('table: declared categorical codes, explicit positive class, custom missing sentinels', async () => {
  const file = csv('codes.csv', 'cp,chol,target\n1,233,1\n3,-999,2\n2,250,3\n1,240,2\n');
  const ds = (await createDataset({
    kind: 'table',
    file,
    label: 'target',
    categorical: ['cp'],
    missing: ['-999'],
    positive: 3,
  })) as TableDataset;
  assert.deepEqual(ds.classNames, ['1|2', '3']);
  assert.deepEqual(Array.from(ds.labels()), [0, 0, 1, 0]);
  assert.deepEqual(ds.schema.columns[0], { name: 'cp', type: 'categorical', categories: ['1', '2', '3'] });
  assert.deepEqual(Array.from((await ds.get(1)).image.data), [2, 0, 0, 1]);
});

test("table: a run's schema fixes codes and classes; unseen categories are missing", async () => {
  const file = csv('other.csv', 'sex,glucose,smoker,outcome\nM,100,maybe,neg\nF,120,yes,pos\n');
  const schema = {
    columns: [
      { name: 'sex', type: 'categorical' as const, categories: ['F', 'M'] },
      { name: 'glucose', type: 'numeric' as const },
      { name: 'smoker', type: 'categorical' as const, categories: ['no', 'yes'] },
    ],
    classNames: ['neg', 'pos'],
  };
  const ds = await createDataset({ kind: 'table', file, label: 'outcome', schema });
  assert.deepEqual(Array.from((await ds.get(0)).image.data), [1, 100, 0, 0, 0, 1]);
  assert.deepEqual(Array.from((await ds.get(1)).image.data), [0, 120, 1, 0, 0, 0]);
  const x = encodePatient((c) => ({ sex: 'F', glucose: '99.5' })[c], schema);
  assert.deepEqual(Array.from(x), [0, 99.5, 0, 0, 0, 1]); // an absent key is missing
});

test('table: bad input is one line naming file, line and column; skipBad leaves the rows out and lists them', async () => {
  const bad = async (text: string, spec: object = {}) =>
    createDataset({ kind: 'table', file: csv('bad.csv', text), label: 'y', ...spec });
  await assert.rejects(bad('a,b\n1,2\n'), (e: Error) => {
    assert.ok(e instanceof MedattnDataError);
    assert.match(e.message, /bad\.csv: label column 'y' not found \(columns: a, b\)/);
    return true;
  });
  await assert.rejects(bad('a,y\n1,1\n2,1\n'), /bad\.csv: label column 'y' has one class \('1'\)/);
  await assert.rejects(
    bad('a,y\n1,0\n2,1\n3,1\nabc,0\n'),
    /bad\.csv: line 5, column 1 \('a'\): non-numeric text 'abc' in a numeric column/,
  );
  await assert.rejects(bad('a,y\n1,0\n2,1,7\n3,1\n'), /bad\.csv: line 3: 3 fields, the header has 2/);
  await assert.rejects(bad('a,y\n1,0\n2,1\n', { positive: 'z' }), /positive class 'z' never occurs/);
  const skipped = await createDataset(
    { kind: 'table', file: csv('skip.csv', 'a,y\n1,0\n2,1,7\n3,1\nabc,0\n5,0\n6,NA\n'), label: 'y' },
    { skipBad: true },
  );
  assert.equal(skipped.length, 3);
  assert.deepEqual(
    skipped.skipped().map((s) => s.reason),
    [
      'line 3: 3 fields, the header has 2',
      "line 7, column 2 ('y'): missing label",
      "line 5, column 1 ('a'): non-numeric text 'abc' in a numeric column",
    ],
  );
});

test('split: the train and val parts are disjoint, cover the table and keep the class balance', async () => {
  const rows = ['x,y', ...Array.from({ length: 50 }, (_, i) => `${i},${i % 5 === 0 ? 1 : 0}`)].join('\n');
  const of = { kind: 'table' as const, file: csv('split.csv', rows), label: 'y' };
  const train = await createDataset({ kind: 'split', of, part: 'train' });
  const val = await createDataset({ kind: 'split', of, part: 'val' });
  assert.equal(train.length + val.length, 50);
  assert.equal(val.length, 10);
  assert.equal(new Set([...train.ids(), ...val.ids()]).size, 50);
  assert.equal(Array.from(val.labels()!).filter((y) => y === 1).length, 2); // 20% of the 10 positives
});

test('real tables: sizes, label balance and missing cells as Python counts them', needsData('tabular'), async () => {
  const expected = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import csv, json, sys
out = {}
for name, label in [('pima', 'diabetes'), ('ckd', 'Class'), ('hepatitis', 'target'), ('wdbc', 'target')]:
    rows = list(csv.DictReader(open(sys.argv[1] + '/' + name + '.csv')))
    miss = sum(1 for r in rows for k, v in r.items() if k != label and v.strip() in ('', 'NA', '?'))
    labels = sorted(set(r[label] for r in rows))
    out[name] = [len(rows), len(rows[0]) - 1, miss, sum(1 for r in rows if r[label] == labels[-1])]
print(json.dumps(out))`,
        dataPath('tabular'),
      ],
      { encoding: 'utf8' },
    ),
  ) as Record<string, [number, number, number, number]>;
  for (const [name, label] of [
    ['pima', 'diabetes'],
    ['ckd', 'Class'],
    ['hepatitis', 'target'],
    ['wdbc', 'target'],
  ]) {
    const ds = (await createDataset({
      kind: 'table',
      file: dataPath('tabular', `${name}.csv`),
      label,
    })) as TableDataset;
    const [n, f, missing, positives] = expected[name];
    assert.equal(ds.length, n, name);
    assert.equal(ds.schema.columns.length, f, name);
    let m = 0;
    for (let i = 0; i < ds.length; i++)
      m += Array.from((await ds.get(i)).image.data.subarray(f)).filter((v) => v === 1).length;
    assert.equal(m, missing, `${name} missing cells`);
    assert.equal(Array.from(ds.labels()).filter((y) => y === 1).length, positives, `${name} positives`);
  }
});
