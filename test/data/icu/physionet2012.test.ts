// PhysioNet 2012 reader, hourly grid, cache, bad input, and the physionet2012 dataset kind on set A.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIcuRecord } from '../../../src/data/icu/physionet2012-record.js';
import { loadIcuRecords, readIcuOutcomes } from '../../../src/data/icu/physionet2012-set.js';
import { icuGrid } from '../../../src/data/icu/icu-grid.js';
import { ICU_SERIES } from '../../../src/data/icu/physionet2012-variables.js';
import { unsplit, type DatasetSpec } from '../../../src/data/datasets/index.js';

const V = ICU_SERIES.length;
const HR = ICU_SERIES.indexOf('HR');
const GCS = ICU_SERIES.indexOf('GCS');
const WEIGHT = ICU_SERIES.indexOf('Weight');

const small = [
  'Time,Parameter,Value',
  '00:00,RecordID,7',
  '00:00,Age,67',
  '00:00,Gender,1',
  '00:00,Height,-1',
  '00:00,ICUType,2',
  '00:00,Weight,78.4',
  '00:10,HR,86',
  '00:50,HR,103.79', // hour 0: mean of 86 and 103.79
  '02:00,HR,68.21',
  '02:30,GCS,-1', // not recorded
  '03:15,Weight,80',
].join('\n');

test('a record: descriptors at 00:00 (-1 missing), series rows, later Weight is a series', () => {
  const r = parseIcuRecord(small, '/x/7.txt');
  assert.equal(r.id, '7');
  assert.deepEqual([...r.descriptors], [67, 1, NaN, 2, Number(Math.fround(78.4))]);
  assert.deepEqual([...r.variables], [HR, HR, HR, WEIGHT]);
  assert.deepEqual([...r.minutes], [10, 50, 120, 195]);
});

test('hourly grid: hour means standardised, carried forward, masks, hours since last observation, statics row', () => {
  const hours = 48;
  const g = icuGrid(parseIcuRecord(small, '7.txt'));
  const plane = (hours + 1) * V;
  const at = (c: number, h: number, v: number) => g[c * plane + h * V + v];
  // HR centre 86, scale 17.79: hour 0 mean 94.895 -> 0.5; hour 2 68.21 -> -1.0
  assert.ok(Math.abs(at(0, 0, HR) - 0.5) < 1e-4);
  assert.ok(Math.abs(at(0, 1, HR) - 0.5) < 1e-4, 'carried forward');
  assert.ok(Math.abs(at(0, 2, HR) + 1) < 1e-4);
  assert.deepEqual(
    [0, 1, 2, 3].map((h) => at(1, h, HR)),
    [1, 0, 1, 0],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((h) => Math.round(at(2, h, HR) * 48)),
    [0, 1, 0, 1],
  );
  // GCS never observed: value 0 (its centre), mask 0, delta (h + 1) / hours
  assert.deepEqual(
    [0, 1, 2, 3].map((h) => [at(0, h, GCS), at(1, h, GCS), Math.round(at(2, h, GCS) * 48)]),
    [
      [0, 0, 1],
      [0, 0, 2],
      [0, 0, 3],
      [0, 0, 4],
    ],
  );
  // two-hour bins: hours 0-1 are bin 0 (HR 86, 103.79, 68.21 at 02:00 falls in bin 1)
  const g24 = icuGrid(parseIcuRecord(small, '7.txt'), 24);
  const plane24 = 25 * V;
  assert.ok(Math.abs(g24[HR] - 0.5) < 1e-4);
  assert.ok(Math.abs(g24[V + HR] + 1) < 1e-4);
  assert.equal(g24[plane24 + WEIGHT], 0);
  assert.equal(g24[plane24 + V + WEIGHT], 1, 'Weight at 03:15 is in bin 1');
  // statics: Age (67-67)/18.7 = 0, Gender (1-0.5)/0.5 = 1, Height missing, Weight 0, ICUType 2 = CSRU
  const statics = [...g.subarray(hours * V, hours * V + 8)].map((x) => Math.round(x * 1e4) / 1e4);
  const mask = [...g.subarray(plane + hours * V, plane + hours * V + 8)];
  assert.deepEqual(statics, [0, 1, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(mask, [1, 1, 0, 1, 1, 1, 1, 1]);
  assert.equal(at(2, hours, 0), 0);
});

test('bad input: one line naming file and line', () => {
  const bad = (rows: string[]) => () => parseIcuRecord(['Time,Parameter,Value', ...rows].join('\n'), 'r.txt');
  assert.throws(bad(['00:00,Age,50', '01:00,Heartrate,80']), { message: "r.txt:3: unknown parameter 'Heartrate'" });
  assert.throws(bad(['0a:13,HR,80']), { message: "r.txt:2: garbled time '0a:13' (expected HH:MM)" });
  assert.throws(bad(['01:75,HR,80']), /r\.txt:2: garbled time '01:75'/);
  assert.throws(bad(['49:00,HR,80']), /r\.txt:2: time 49:00 is past the 48-hour window/);
  assert.throws(bad(['01:00,HR,fast']), { message: "r.txt:2: value 'fast' of HR is not a number" });
  assert.throws(bad(['01:00,HR']), /r\.txt:2: expected 3 fields/);
  assert.throws(() => parseIcuRecord('Time;Parameter;Value\n', 'r.txt'), /r\.txt:1: expected the header/);
});

test('a folder: skipBad lists bad files; the binary cache gives the same records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icu-'));
  const records = join(dir, 'set');
  const cache = join(dir, 'cache');
  mkdirSync(records);
  writeFileSync(join(records, '7.txt'), small);
  writeFileSync(join(records, '8.txt'), 'Time,Parameter,Value\n00:00,RecordID,8\n01:00,Foo,1\n');
  assert.throws(() => loadIcuRecords(records, { cacheDir: false }), /8\.txt:3: unknown parameter 'Foo'/);
  const first = loadIcuRecords(records, { skipBad: true, cacheDir: cache });
  assert.deepEqual(
    first.records.map((r) => r.id),
    ['7'],
  );
  assert.equal(first.skipped.length, 1);
  assert.match(first.skipped[0].file, /8\.txt$/);
  assert.equal(first.skipped[0].reason, "unknown parameter 'Foo'");
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.bin')).length, 1);
  const again = loadIcuRecords(records, { skipBad: true, cacheDir: cache });
  assert.deepEqual(again, first);
  writeFileSync(join(dir, 'outcomes.txt'), 'RecordID,In-hospital_death\n7,2\n');
  assert.throws(
    () => readIcuOutcomes(join(dir, 'outcomes.txt')),
    /outcomes\.txt:2: In-hospital_death must be 0 or 1, got '2'/,
  );
});

test('cross-validation folds every stay: unsplit drops a physionet2012 spec’s own fold', () => {
  const whole = { kind: 'physionet2012', records: 'set-a', outcomes: 'Outcomes-a.txt' } as DatasetSpec;
  assert.deepEqual(unsplit({ ...whole, fold: { k: 5, index: 0, part: 'train' } } as DatasetSpec), whole);
  assert.equal(unsplit(whole), whole);
});
