// A 3D run on a real MRI volume: configs/colin27-3d.json (Colin27 T1 with the AAL atlas, deep grey nuclei;
// random 48^3 patches of the left hemisphere for training, the right hemisphere as one held-out volume predicted
// by Gaussian-blended sliding windows), cut down to a few steps of a tiny network so it runs in seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDataset } from '../../src/data/datasets/index.js';
import { loadRun } from '../../src/train/run-folder.js';
import { evaluateOn } from '../../src/train/evaluate-run.js';
import { cliRunner } from '../helpers/cli.js';

const colin = '/usr/share/mricron/templates/aal.nii.gz';
const options = existsSync(colin)
  ? { skip: false as const }
  : process.env.CI === 'true'
    ? (() => {
        throw new Error(`CI=true: needs ${colin} (Debian's mricron-data)`);
      })()
    : { skip: `needs ${colin} (Debian's mricron-data)` };
const dir = mkdtempSync(join(tmpdir(), 'medattn-colin27-'));
const config = resolve('configs/colin27-3d.json');

const medattn = cliRunner({ cwd: dir, threads: 2, timeoutMs: 300_000 });

test(
  'the shipped 3D config trains on left-hemisphere patches and scores the right hemisphere by sliding windows',
  options,
  async () => {
    const train = medattn(
      'train',
      '--config',
      config,
      '--out',
      'run',
      '--set',
      'training.epochs=1',
      '--set',
      'training.batchesPerEpoch=2',
      '--set',
      'data.train.count=4',
      '--set',
      'training.workers=0',
      '--set',
      'model.config.features=[4,8]',
    );
    assert.equal(train.code, 0, train.stderr);
    const history = JSON.parse(readFileSync(join(dir, 'run', 'metrics.json'), 'utf8')).history as Record<
      string,
      number
    >[];
    const last = history.at(-1)!;
    assert.equal(last.n, 1, 'the right hemisphere is one validation volume');
    assert.ok(last.dice >= 0 && last.dice <= 1, `dice ${last.dice}`);
    assert.ok(existsSync(join(dir, 'run', 'report.html')));

    // evaluate --json on the run scores the same volume the same way (best = last here: one epoch).
    const runConfig = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'val.json'), JSON.stringify(runConfig.data.val));
    const evaluated = medattn('evaluate', '--run', 'run', '--data', 'val.json', '--json');
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const metrics = JSON.parse(evaluated.stdout) as Record<string, number>;
    assert.ok(Math.abs(metrics.dice - last.dice) < 1e-6, `evaluate ${metrics.dice} vs training ${last.dice}`);

    // One window covering the whole 80x100x60 volume is the whole-volume prediction: the Gaussian weights cancel.
    const run = loadRun(join(dir, 'run'));
    const val = await createDataset(run.config.data.val);
    const whole = await evaluateOn(
      { ...run.config, training: { ...run.config.training, slidingWindow: undefined, padMultiple: 2 } },
      run.model,
      val,
    );
    const single = await evaluateOn(
      {
        ...run.config,
        training: { ...run.config.training, slidingWindow: { roi: [80, 100, 60], overlap: 0.25, batchSize: 1 } },
      },
      run.model,
      val,
    );
    assert.ok(Math.abs((whole.dice as number) - (single.dice as number)) < 1e-6, `${whole.dice} vs ${single.dice}`);
    assert.ok(Math.abs((whole.pooled_auroc as number) - (single.pooled_auroc as number)) < 1e-6);
  },
);

test('a region outside the volume is one line naming the option', options, () => {
  const r = medattn('train', '--config', config, '--out', 'bad', '--set', 'data.val.region.start=[40,72,150]');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /region.*\[40, 72, 150\] \+ \[80, 100, 60\] reaches outside volume .*ch2\.nii\.gz \[181, 217, 181\]/,
  );
});
