// The 'text' dataset kind: CSV with quotes and line breaks, JSONL, filters, dedupe, splits, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, type DatasetSpec } from '../../../src/data/index.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';
import type { TextDataset } from '../../../src/data/datasets/text-dataset.js';
import { headTailIndices } from '../../../src/data/text/text-tokenizer.js';
import { bucketBatches } from '../../../src/train/tasks/text.js';
import { writeTextNotes } from '../../fixtures/text-notes.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-text-'));
const open = (spec: Record<string, unknown>) =>
  createDataset({
    kind: 'text',
    textColumn: 'note',
    labelColumn: 'label',
    ...spec,
  } as DatasetSpec) as Promise<TextDataset>;

test('CSV notes with commas, doubled quotes and line breaks parse to the written text', async () => {
  const file = join(dir, 'notes.csv');
  const rows = writeTextNotes(file, 5);
  const ds = await open({ file, idColumn: 'id' });
  assert.equal(ds.length, 10);
  assert.deepEqual(
    ds.texts(),
    rows.map((r) => r.note),
  );
  assert.ok(ds.texts()[0].startsWith('"Quoted", ') && ds.texts()[0].includes(',\nsecond line'));
  assert.deepEqual(ds.classNames, ['cardiology', 'orthopedics']);
  assert.deepEqual([...ds.labels()], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.equal((await ds.get(3)).id, 'n3');
});

test('labels (order = class list), ids, dedupe and stratified disjoint splits', async () => {
  const file = join(dir, 'dups.jsonl');
  const lines = [
    { note: 'a  b', label: 'x' },
    { note: 'a b', label: 'x' }, // same text, same label: one kept
    { note: 'c d', label: 'x' },
    { note: 'c d', label: 'y' }, // same text, two labels: ambiguous, both left out
    { note: 'e', label: 'y' },
    { note: 'f', label: 'z' },
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  const ds = await open({ file, labels: ['y', 'x'], dedupe: true });
  assert.deepEqual(ds.classNames, ['y', 'x']);
  assert.deepEqual(ds.texts(), ['a  b', 'e']);
  assert.deepEqual([...ds.labels()], [1, 0]);
  assert.deepEqual(ds.stats, { truncated: 0, duplicates: 1, ambiguous: 2 });
  const ids = await open({ file, ids: ['dups.jsonl:5', 'dups.jsonl:6'] });
  assert.deepEqual(ids.texts(), ['e', 'f']);
  const csv = join(dir, 'split.csv');
  writeTextNotes(csv, 20);
  const train = await open({ file: csv, idColumn: 'id', split: 'train', folds: 4, fold: 1 });
  const val = await open({ file: csv, idColumn: 'id', split: 'val', folds: 4, fold: 1 });
  assert.equal(train.length, 30);
  assert.equal(val.length, 10);
  assert.equal(new Set([...train.ids(), ...val.ids()]).size, 40);
  assert.deepEqual([...val.labels()].filter((l) => l === 0).length, 5); // stratified: 20/4 per class
});

test('bad input: missing column, empty note, non-UTF-8 bytes, a 1 MB note cut to head + tail', async () => {
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'note,label\n"fine",a\n"",b\n');
  await assert.rejects(open({ file, labelColumn: 'specialty' }), (e: Error) => {
    assert.ok(e instanceof MedattnDataError);
    assert.match(e.message, /labelColumn 'specialty' is not a column \(columns: note, label\)/);
    return !e.message.includes('\n');
  });
  await assert.rejects(open({ file }), /bad\.csv: line 3: empty note/);
  const skipped = await open({ file, skipBad: true });
  assert.equal(skipped.length, 1);
  assert.match(skipped.skipped()[0].reason, /empty note/);
  const latin1 = join(dir, 'latin1.csv');
  writeFileSync(latin1, Buffer.concat([Buffer.from('note,label\n"caf'), Buffer.from([0xe9]), Buffer.from('",a\n')]));
  await assert.rejects(open({ file: latin1 }), /latin1\.csv: not UTF-8 text \(invalid byte 0xe9 near byte 15\)/);
  const big = join(dir, 'big.csv');
  writeFileSync(big, `note,label\n"${'start '}${'x'.repeat(1_000_000)}${' end'}",a\n`);
  const cut = await open({ file: big, maxChars: 1000 });
  assert.equal(cut.stats.truncated, 1);
  assert.ok(cut.texts()[0].startsWith('start ') && cut.texts()[0].endsWith(' end'));
  assert.equal(cut.texts()[0].length, 1000 + 3);
});

test('head + tail token indices and length buckets', () => {
  assert.deepEqual(headTailIndices(5, 8), [0, 1, 2, 3, 4]);
  assert.deepEqual(headTailIndices(10, 5), [0, 1, 2, 8, 9]);
  const batches = bucketBatches([5, 100, 6, 99, 7, 98], 2);
  assert.deepEqual(batches, [
    [0, 2],
    [4, 5],
    [3, 1],
  ]);
});

test(
  'mtsamples: the documented label set, deduplicated, 5-fold split sizes',
  needsData('text', 'mtsamples.csv'),
  async () => {
    const labels = [
      'Cardiovascular / Pulmonary',
      'Orthopedic',
      'Gastroenterology',
      'Urology',
      'Obstetrics / Gynecology',
      'ENT - Otolaryngology',
      'Ophthalmology',
      'Neurology',
      'Hematology - Oncology',
    ];
    const spec = {
      file: dataPath('text', 'mtsamples.csv'),
      textColumn: 'transcription',
      labelColumn: 'medical_specialty',
      labels,
      dedupe: true,
    };
    const all = await open(spec);
    // Counted independently with Python's csv module (unique whitespace-normalised texts, single kept label).
    assert.equal(all.length, 1592);
    assert.equal(all.stats.ambiguous, 177);
    const val = await open({ ...spec, split: 'val' });
    const train = await open({ ...spec, split: 'train' });
    assert.equal(val.length + train.length, 1592);
    const norm = (t: string) => t.split(/\s+/).filter(Boolean).join(' ');
    const trainTexts = new Set(train.texts().map(norm));
    assert.equal(val.texts().filter((t) => trainTexts.has(norm(t))).length, 0);
  },
);
