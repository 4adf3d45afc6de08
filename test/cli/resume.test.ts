// `train --resume` on what a user can really hand it: a missing folder, a folder that is no run, a run killed
// before its first checkpoint, a run killed at any moment, a log that ran ahead of its checkpoint, and temp
// files a killed writer left. Each ends in exit 1 with one line, or in a run folder with exactly one log line
// per finished epoch and no temp file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTensors } from '../../src/tensor/index.js';
import { tinyConfig, writeTinyMedmnist } from '../helpers/tiny-medmnist.js';
import { cliRunner } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-resume-'));
const npz = join(dir, 'tiny.npz');
writeTinyMedmnist(npz, { train: { n: 32 }, val: { n: 16 } });
// 800 images in batches of 4: the first epoch lasts long enough to kill the run inside it.
const bigNpz = join(dir, 'big.npz');
writeTinyMedmnist(bigNpz, { train: { n: 800 }, val: { n: 16 } });

function writeConfig(name: string, file: string, training: Record<string, unknown> = {}): string {
  const c = tinyConfig(file);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ ...c, training: { ...c.training, ...training } }));
  return path;
}

const medattn = cliRunner({ cwd: dir });

/** Starts `medattn train ...args` and SIGKILLs it as soon as stderr matches `when`; resolves once it is dead. */
async function killDuring(args: string[], when: RegExp): Promise<string> {
  const child = spawn(process.execPath, [resolve('bin/medattn.js'), 'train', ...args], { cwd: dir });
  let stderr = '';
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (when.test(stderr)) child.kill('SIGKILL');
  });
  await exited;
  return stderr;
}

const logEpochs = (run: string) =>
  readFileSync(join(run, 'log.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).epoch as number);
const history = (run: string) =>
  (JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')).history as { epoch: number; val_loss: number }[]).map(
    (r) => [r.epoch, r.val_loss],
  );
const tempFiles = (run: string) => readdirSync(run).filter((f) => f.includes('.tmp'));
const checkpointEpoch = (run: string) => JSON.parse(loadTensors(join(run, 'last.safetensors')).metadata.state).epoch;

test('--resume on a missing folder: exit 1, one line naming the folder', () => {
  const r = medattn('train', '--resume', 'no-such-run');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `medattn: ${join(dir, 'no-such-run')}: --resume: no such folder\n`);
});

test('--resume on a folder that is no run: exit 1, one line', () => {
  mkdirSync(join(dir, 'empty'));
  const r = medattn('train', '--resume', join(dir, 'empty'));
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `medattn: ${join(dir, 'empty')}: --resume: not a medattn run folder (no config.json)\n`);
});

test('a run killed before its first checkpoint resumes by starting again, as an unbroken run', async () => {
  const config = writeConfig('big.json', bigNpz, { batchSize: 4 });
  const killed = join(dir, 'killed-early');
  await killDuring(['--config', config, '--out', killed], /^training on /m);
  assert.ok(existsSync(join(killed, 'config.json')), 'the run had started');
  assert.ok(!existsSync(join(killed, 'last.safetensors')), 'killed before the first checkpoint (test precondition)');

  const resumed = medattn('train', '--resume', killed);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /no checkpoint yet \(stopped before its first epoch ended\): training from the start/);
  const unbroken = join(dir, 'unbroken-big');
  assert.equal(medattn('train', '--config', config, '--out', unbroken).code, 0);
  assert.deepEqual(history(killed), history(unbroken));
  assert.deepEqual(logEpochs(killed), [0, 1]);
  assert.deepEqual(tempFiles(killed), []);
});

test('a run killed at any moment resumes with one log line per finished epoch and no temp file', async () => {
  const config = writeConfig('long.json', npz, { epochs: 50 });
  const run = join(dir, 'killed-late');
  await killDuring(['--config', config, '--out', run], /^epoch 4\/50 /m);
  const saved = checkpointEpoch(run);
  const resumed = medattn('train', '--resume', run, '--set', `training.epochs=${saved + 3}`);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resumed at epoch ${saved + 2}`));
  assert.deepEqual(
    logEpochs(run),
    Array.from({ length: saved + 3 }, (_, i) => i),
  );
  assert.equal(history(run).length, saved + 3);
  assert.deepEqual(tempFiles(run), []);
});

test('a log that ran ahead of its checkpoint is cut back on resume; stale temp files go', () => {
  const config = writeConfig('two.json', npz, { epochs: 2 });
  const run = join(dir, 'log-ahead');
  assert.equal(medattn('train', '--config', config, '--out', run).code, 0);
  const log = readFileSync(join(run, 'log.jsonl'), 'utf8');
  // A kill between the log line of epoch 3 and its checkpoint, and two writers killed mid-write.
  appendFileSync(join(run, 'log.jsonl'), `${JSON.stringify({ epoch: 2, lr: 0, train_loss: 9, val_loss: 9 })}\n`);
  writeFileSync(join(run, '.last.safetensors.99999999.0badf00d.tmp'), 'half a checkpoint');
  writeFileSync(join(run, 'metrics.json.tmp-99999999'), '{"hist');

  const resumed = medattn('train', '--resume', run, '--set', 'training.epochs=3');
  assert.equal(resumed.code, 0, resumed.stderr);
  const lines = readFileSync(join(run, 'log.jsonl'), 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(logEpochs(run), [0, 1, 2]);
  assert.equal(lines.slice(0, 2).join('\n') + '\n', log, 'the finished epochs keep their lines as written');
  assert.notEqual(JSON.parse(lines[2]).train_loss, 9, 'epoch 3 is the one trained now');
  assert.deepEqual(tempFiles(run), []);
});
