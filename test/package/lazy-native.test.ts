// libtorch loads when a tensor is first used, not at import: a user who reads files or computes metrics through
// `medattn/metrics`, `medattn/io`, `medattn/data` or even `import { metrics } from 'medattn'` never maps libtorch
// or the addon, and the thread and malloc defaults are applied at that first load. The probe runs in a child
// process so that this file's own imports cannot have loaded anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeLoaded } from '../../src/tensor/native.js';
import { getNumThreads, setNumThreads } from '../../src/tensor/runtime.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

interface ProbeResult {
  before: Record<string, unknown> & { libtorch: boolean; addon: boolean };
  after: { sum: number; threads: number; libtorch: boolean; addon: boolean };
}

/** Runs the probe from the checkout: package self-imports resolve to src/ through the medattn-source condition. */
function probe(env: Record<string, string> = {}): ProbeResult {
  const r = spawnSync(
    process.execPath,
    ['--conditions=medattn-source', '--import', 'tsx', join(here, 'fixtures', 'lazy-native-probe.mjs')],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ProbeResult;
}

test('metrics, readers and datasets work without loading libtorch; the first tensor loads it', () => {
  const { before, after } = probe({ MEDATTN_THREADS: '' });
  assert.deepEqual(before, {
    auroc: 0.75, // pairs (neg, pos) ranked right: (0.1, 0.35), (0.1, 0.8), (0.4, 0.8); wrong: (0.4, 0.35)
    aurocSubpath: 0.75,
    accuracy: 0.75, // predictions 1 0 1 0 against labels 1 0 0 0
    pngShape: [1, 2, 3],
    pngPixels: [0, 50, 100, 150, 200, 250],
    npyShape: [2, 2],
    npyValues: [1.5, -2, 0.25, 8],
    createDataset: 'function',
    libtorch: false,
    addon: false,
  });
  assert.equal(after.sum, 6);
  assert.equal(after.libtorch, true);
  assert.equal(after.addon, true);
});

test('the thread default is applied when the addon loads', () => {
  assert.equal(probe({ MEDATTN_THREADS: '1' }).after.threads, 1);
});

test('a thread count set before the first tensor is not overwritten by the defaults applied at load', () => {
  // Nothing in this process has touched a tensor yet: setNumThreads is what loads the addon.
  assert.equal(nativeLoaded(), false);
  setNumThreads(1);
  assert.equal(nativeLoaded(), true);
  assert.equal(getNumThreads(), 1);
});
