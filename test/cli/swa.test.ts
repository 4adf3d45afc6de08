// `training.swa`: the run's model is the mean of its last epochs' weights, BatchNorm statistics recomputed over
// one pass of the training batches; it is one more record and the best checkpoint. Checked against the weights
// of runs that stop at those epochs (a constant learning rate makes their first epochs identical).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTensors } from '../../src/tensor/index.js';
import { parseConfig } from '../../src/train/config.js';
import { train as trainInProcess } from '../../src/train/trainer.js';
import { tinyConfig, writeTinyMedmnist } from '../helpers/tiny-medmnist.js';
import { cliRunner, MEDATTN_BIN } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-swa-'));
const npz = join(dir, 'tiny.npz');
writeTinyMedmnist(npz, { train: { n: 32 }, val: { n: 16 } });
const medattn = cliRunner({ cwd: dir, threads: 1 });

function writeConfig(name: string, training: Record<string, unknown>, file = npz): string {
  const c = tinyConfig(file);
  const path = join(dir, name);
  const schedule = { name: 'step', stepSize: 100 }; // a constant rate: runs of 2 and 3 epochs share their first two
  writeFileSync(path, JSON.stringify({ ...c, schedule, training: { ...c.training, ...training } }));
  return path;
}

const isParameter = (name: string) => !/running_mean|running_var|num_batches_tracked/.test(name);
const weights = (file: string) => loadTensors(file).tensors;
const metrics = (run: string) =>
  JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as {
    best_epoch: number;
    best: Record<string, number>;
    history: Record<string, number>[];
  };

function train(config: string, out: string): string {
  const r = medattn('train', '--config', config, '--out', join(dir, out));
  assert.equal(r.code, 0, r.stderr);
  return r.stderr;
}

test('the averaged model is the mean of the last epochs, with statistics of one training pass', () => {
  train(writeConfig('two.json', { epochs: 2 }), 'two');
  train(writeConfig('three.json', { epochs: 3 }), 'three');
  const stderr = train(writeConfig('swa.json', { epochs: 3, swa: { epochs: 2 } }), 'swa');
  assert.match(stderr, /^weight average of 2 epochs {2}loss /m);

  const second = weights(join(dir, 'two', 'last.safetensors'));
  const third = weights(join(dir, 'three', 'last.safetensors'));
  const averaged = weights(join(dir, 'swa', 'best.safetensors'));
  let compared = 0;
  for (const [name, t] of averaged) {
    if (!isParameter(name)) continue;
    const [a, b, m] = [second.get(name)!, third.get(name)!, t].map((x) => x.toFloat32Array());
    m.forEach((v, i) => assert.ok(Math.abs(v - (a[i] + b[i]) / 2) < 1e-6, `${name}[${i}]: ${v}`));
    compared++;
  }
  assert.ok(compared > 5, `${compared} parameters compared`);
  // Statistics reset and recomputed over one pass: 32 images in batches of 8.
  const counters = [...averaged].filter(([name]) => name.endsWith('num_batches_tracked'));
  assert.ok(counters.length > 0, 'the network has BatchNorm layers');
  for (const [name, t] of counters) assert.equal(Number(t.item()), 4, name);

  const m = metrics(join(dir, 'swa'));
  assert.equal(m.history.length, 4);
  assert.equal(m.best_epoch, 3);
  assert.equal(m.best.swa_epochs, 2);
  assert.deepEqual(
    m.history.slice(0, 3).map((r) => r.val_loss),
    metrics(join(dir, 'three')).history.map((r) => r.val_loss),
    'the epochs themselves train as without averaging',
  );
  assert.match(readFileSync(join(dir, 'swa', 'report.html'), 'utf8'), /<b>the mean of the weights of epochs 2-3<\/b>/);
  // `evaluate` scores the averaged checkpoint as the run recorded it.
  const evaluated = medattn('evaluate', '--run', join(dir, 'swa'), '--data', npz, '--split', 'val', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  for (const k of ['accuracy', 'auroc']) assert.ok(Math.abs(JSON.parse(evaluated.stdout)[k] - m.best[k]) < 1e-6, k);
});

test('a run killed inside its averaging window (at swa.lr) resumes to the same model as an unbroken one', async () => {
  const big = join(dir, 'big.npz');
  writeTinyMedmnist(big, { train: { n: 400 }, val: { n: 16 } });
  const config = writeConfig('big-swa.json', { epochs: 3, batchSize: 4, swa: { epochs: 2, lr: 0.0005 } }, big);
  const killed = join(dir, 'killed');
  const child = spawn(process.execPath, [MEDATTN_BIN, 'train', '--config', config, '--out', killed], {
    cwd: dir,
    env: { ...process.env, MEDATTN_THREADS: '1' },
  });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (/^epoch 2\/3 /m.test(stderr)) child.kill('SIGKILL');
  });
  await exited;
  const state = JSON.parse(loadTensors(join(killed, 'last.safetensors')).metadata.state);
  assert.equal(state.averaged, 1, 'killed after the first averaged epoch (test precondition)');

  const resumed = medattn('train', '--resume', killed);
  assert.equal(resumed.code, 0, resumed.stderr);
  train(config, 'unbroken');
  const unbroken = join(dir, 'unbroken');
  assert.deepEqual(
    metrics(killed).history.map((r) => [r.epoch, r.val_loss, r.swa_epochs]),
    metrics(unbroken).history.map((r) => [r.epoch, r.val_loss, r.swa_epochs]),
  );
  // The averaged epochs trained at swa.lr, the first at the schedule's rate.
  assert.deepEqual(
    metrics(unbroken)
      .history.slice(0, 3)
      .map((r) => r.lr),
    [0.001, 0.0005, 0.0005],
  );
  const a = weights(join(killed, 'best.safetensors'));
  for (const [name, t] of weights(join(unbroken, 'best.safetensors')))
    assert.deepEqual([...a.get(name)!.toFloat32Array()], [...t.toFloat32Array()], name);
});

test('a run fitted to its time budget averages the same share of its epochs, and records the window', () => {
  // A budget the first epoch spends fits the planned 3 epochs into 1; the window of 2 scales to max(1, 2/3) = 1.
  const config = writeConfig('fit.json', { epochs: 3, swa: { epochs: 2 }, maxMinutes: 0.0001, fitToMaxMinutes: true });
  const stderr = train(config, 'fit');
  assert.match(stderr, /1 of the planned 3 epochs .*, weight average of the last 1\n/);
  assert.match(stderr, /^weight average of 1 epochs {2}loss /m);
  const recorded = JSON.parse(readFileSync(join(dir, 'fit', 'config.json'), 'utf8')) as {
    training: { epochs: number; swa: { epochs: number } };
  };
  assert.deepEqual([recorded.training.epochs, recorded.training.swa.epochs], [1, 1]);
  assert.equal(metrics(join(dir, 'fit')).best_epoch, 1); // the averaged record follows the one epoch run
});

test('more averaged epochs than the run has: exit 1, one line naming the option', () => {
  const r = medattn('train', '--config', writeConfig('bad.json', { epochs: 2, swa: { epochs: 5 } }), '--out', 'bad');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^medattn: .*bad\.json: training\.swa\.epochs: 5 is more than the run's 2 epochs/);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
});

test("task 'text' refuses training.swa (its trainer has no weight averaging), naming the option", async () => {
  const notes = { kind: 'text', file: join(dir, 'none.csv'), textColumn: 'note', labelColumn: 'label' };
  const config = parseConfig({
    task: 'text',
    data: { train: notes, val: notes },
    model: { name: 'text_bilstm' },
    training: { epochs: 2, swa: { epochs: 1 } },
  });
  await assert.rejects(trainInProcess(config, { outDir: join(dir, 'text'), configFile: 'text.json' }), {
    message: /^text\.json: training\.swa: task 'text' has no weight averaging$/,
  });
});
