// A fixed, seeded sample of mutated real files (bit flips, byte runs, truncation, chunk duplication/deletion,
// header integers set to extremes) read the way `medattn inspect` reads them, each in a child process with a
// 10 s limit and a memory limit: none may crash or hang; each must be read or refused with a one-line
// MedattnDataError naming the file. Seeds are Debian's pydicom, nibabel and numpy test files, plus the
// ../shared/data images and npz when present. Thousands on demand: bench/fuzz.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findSeeds } from '../../helpers/fuzz/seeds.js';
import { makeCases, runCases, summaryTable } from '../../helpers/fuzz/harness.js';

const COUNT = 160;
const SEED = 20261127;
const seeds = findSeeds();
const dir = mkdtempSync(join(tmpdir(), 'medattn-fuzz-test-'));

test(`${COUNT} seeded mutations of real files: no crash, no hang`, async () => {
  assert.ok(seeds.filter((s) => s.format === 'dicom').length >= 50, 'pydicom test files missing (python3-pydicom)');
  assert.ok(
    seeds.some((s) => s.format === 'nifti'),
    'nibabel test files missing (python3-nibabel)',
  );
  const cases = makeCases(seeds, COUNT, SEED, dir);
  const results = await runCases(cases, { timeoutMs: 10_000 });
  console.log(summaryTable(results));
  assert.equal(results.length, COUNT);
  const bad = results.filter((r) => r.outcome === 'crash' || r.outcome === 'hang');
  assert.deepEqual(
    bad.map((r) => `${r.outcome}: ${basename(r.path)} [${r.mutation}] ${r.detail}`),
    [],
    'rerun one with: npx medattn inspect FILE (bench/fuzz.ts saves them to bench/out/)',
  );
  // The sample exercises both paths: some mutations are still readable, most are refused.
  assert.ok(results.some((r) => r.outcome === 'ok'));
  assert.ok(results.filter((r) => r.outcome === 'user error').length > COUNT / 3);
  rmSync(dir, { recursive: true, force: true });
});

test('the harness charges a crash to the input in flight and goes on with a fresh child', async () => {
  // A 1 MiB resident-memory limit no Node process can keep: every input is killed as a crash.
  const cases = makeCases(
    seeds.filter((s) => s.format === 'dicom').slice(0, 2),
    2,
    1,
    mkdtempSync(join(tmpdir(), 'medattn-fuzz-test-')),
  );
  const results = await runCases(cases, { rssMb: 1 });
  assert.deepEqual(
    results.map((r) => [r.id, r.outcome]),
    [
      [0, 'crash'],
      [1, 'crash'],
    ],
  );
  assert.match(results[0].detail, /resident memory \d+ MiB passed the 1 MiB limit/);
});
