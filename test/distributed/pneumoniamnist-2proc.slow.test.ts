// Slow (npm run test:slow): the shipped PneumoniaMNIST config trained as 2 data-parallel processes (1 thread
// each, half the batch per rank, so the effective batch is the config's) reaches the single-process result
// within seed noise: single-process validation AUROC 0.9963 in CI (test/cli/pneumoniamnist.slow.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsPneumonia } from '../helpers/pneumonia-subset.js';

const SINGLE_PROCESS_AUROC = 0.9963;

test(
  'configs/pneumoniamnist.json with --nproc 2 reaches the single-process AUROC within 0.005',
  { ...needsPneumonia(), timeout: 15 * 60_000 },
  () => {
    const config = JSON.parse(readFileSync('configs/pneumoniamnist.json', 'utf8'));
    const half = Math.floor(config.training.batchSize / 2);
    const out = mkdtempSync(join(tmpdir(), 'medattn-pneumonia-2proc-'));
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        'bin/medattn.js',
        'train',
        '--config',
        'configs/pneumoniamnist.json',
        '--out',
        out,
        '--nproc',
        '2',
        '--set',
        `training.batchSize=${half}`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const minutes = (Date.now() - started) / 60000;
    const { best } = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    console.log(
      `pneumoniamnist --nproc 2: best epoch ${best.epoch + 1}, AUROC ${best.auroc.toFixed(4)}, accuracy ${best.accuracy.toFixed(4)}, ${minutes.toFixed(1)} min`,
    );
    assert.ok(Math.abs(best.auroc - SINGLE_PROCESS_AUROC) <= 0.005, `AUROC ${best.auroc}`);
  },
);
