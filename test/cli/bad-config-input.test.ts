// Config input found by mutating real configs: `null`, JSON nested 100,000 deep, a stage of 10^12 channels and
// a batch larger than the training set. Each is exit 1 with one line naming the file and option, before the
// run folder gets a file (and a refused --resume leaves the run as it was).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOverrides, MAX_CONFIG_DEPTH, parseConfigJson } from '../../src/train/config.js';
import { tinyConfig, writeTinyMedmnist } from '../helpers/tiny-medmnist.js';
import { cliRunner } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-bad-config-'));
const npz = join(dir, 'tiny.npz');
writeTinyMedmnist(npz, { train: { n: 32 }, val: { n: 16 } });
const good = join(dir, 'good.json');
writeFileSync(good, JSON.stringify(tinyConfig(npz)));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const medattn = cliRunner({ cwd: dir });

const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

test('parseConfigJson: null, an array, deep nesting and bad JSON are one-line ConfigErrors', () => {
  assert.throws(() => parseConfigJson('null', 'c.json'), { message: 'c.json: must be a JSON object, got null' });
  assert.throws(() => parseConfigJson('[1]', 'c.json'), { message: 'c.json: must be a JSON object, got an array' });
  assert.throws(() => parseConfigJson('3', 'c.json'), { message: 'c.json: must be a JSON object, got number' });
  assert.throws(() => parseConfigJson(deepObject, 'c.json'), {
    message: `c.json: JSON nested deeper than ${MAX_CONFIG_DEPTH} levels`,
  });
  assert.throws(() => parseConfigJson('{"a":', 'c.json'), /^ConfigError: c\.json: not valid JSON \([^\n]*\)$/);
  // The deepest config a user writes nests 6 levels (model.config.stages.0.attention); 64 is allowed.
  const deepest = '{"a":'.repeat(MAX_CONFIG_DEPTH - 1) + '{}' + '}'.repeat(MAX_CONFIG_DEPTH - 1);
  assert.doesNotThrow(() => parseConfigJson(deepest, 'c.json'));
});

test('a --set value nested 100,000 deep is refused (too long for a command line, so through the function)', () => {
  assert.throws(() => applyOverrides({}, [`model.config=${deepArray}`], 'c.json'), {
    message: `c.json: --set model.config: JSON nested deeper than ${MAX_CONFIG_DEPTH} levels`,
  });
});

const cases: [string, () => string[], string][] = [
  [
    'a config file that is null',
    () => ['--config', write('null.json', 'null')],
    `${join(dir, 'null.json')}: must be a JSON object, got null`,
  ],
  [
    'a config file nested 100,000 deep',
    () => ['--config', write('deep.json', deepObject)],
    `${join(dir, 'deep.json')}: JSON nested deeper than 64 levels`,
  ],
  [
    'an array nested 100,000 deep',
    () => ['--config', write('deep-array.json', deepArray)],
    `${join(dir, 'deep-array.json')}: must be a JSON object, got an array`,
  ],
  [
    'a null option',
    () => ['--config', good, '--set', 'training=null'],
    `${good}: training: Invalid input: expected object, received null`,
  ],
  [
    'null model stages',
    () => ['--config', good, '--set', 'model.config.stages=null'],
    "attention_cnn: option 'stages' must be a non-empty list of stages, got null",
  ],
  [
    'a stage of 10^12 channels',
    () => ['--config', good, '--set', 'model.config.stages.0.channels=1e12'],
    "attention_cnn: option 'stages.0.channels' must be a positive integer up to 65536, got 1000000000000",
  ],
  [
    'a batch of 10^12',
    () => ['--config', good, '--set', 'training.batchSize=1e12'],
    `${good}: training.batchSize: 1000000000000 is larger than the training set (32 samples): no full batch to train on`,
  ],
];

for (const [what, args, line] of cases) {
  test(`train with ${what}: exit 1, one line, nothing written`, () => {
    const out = join(dir, `run-${what.replace(/\W+/g, '-')}`);
    const r = medattn('train', ...args(), '--out', out);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `medattn: ${line}\n`);
    assert.deepEqual(existsSync(out) ? readdirSync(out) : [], []);
  });
}

test('a refused --resume (batch larger than the set) leaves the run folder as it was', () => {
  const run = join(dir, 'finished');
  assert.equal(medattn('train', '--config', good, '--out', run).code, 0);
  const before = Object.fromEntries(readdirSync(run).map((f) => [f, readFileSync(join(run, f))]));
  const r = medattn('train', '--resume', run, '--set', 'training.batchSize=33', '--set', 'training.epochs=3');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    `medattn: ${join(run, 'config.json')}: training.batchSize: 33 is larger than the training set (32 samples): no full batch to train on\n`,
  );
  const after = Object.fromEntries(readdirSync(run).map((f) => [f, readFileSync(join(run, f))]));
  assert.deepEqual(after, before);
});
