// Override paths (`--set key=value`, `search --grid` keys) never reach a prototype: a segment `__proto__`,
// `constructor` or `prototype` is a one-line ConfigError, and Object.prototype is untouched afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOverrides } from '../../src/train/config.js';
import { ConfigError } from '../../src/train/config-error.js';
import { tinyConfig, writeTinyMedmnist } from '../helpers/tiny-medmnist.js';
import { cliRunner } from '../helpers/cli.js';

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const before = prototypeKeys();

const paths = [
  '__proto__.polluted',
  'training.__proto__.polluted',
  'constructor.prototype.polluted',
  'model.config.constructor.prototype.polluted',
  'prototype.polluted',
  'training.constructor',
  'a.b.__proto__',
];

for (const path of paths) {
  test(`applyOverrides refuses '${path}' in one line and leaves Object.prototype alone`, () => {
    const raw = { training: { epochs: 2 }, model: { config: {} } };
    assert.throws(
      () => applyOverrides(raw, [`${path}=1`], 'c.json'),
      (e: Error) => {
        const bad = path.split('.').find((k) => ['__proto__', 'constructor', 'prototype'].includes(k));
        assert.ok(e instanceof ConfigError);
        assert.equal(e.message, `c.json: --set: '${path}': '${bad}' is not a config option`);
        return true;
      },
    );
    assert.deepEqual(prototypeKeys(), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(raw, { training: { epochs: 2 }, model: { config: {} } }, 'the input config is not changed');
  });
}

test('ordinary paths still override, including keys that only look like object methods', () => {
  const out = applyOverrides(
    { training: { epochs: 2 } },
    ['training.epochs=5', 'name=toString', 'report.valueOf=1'],
    'c.json',
  );
  assert.deepEqual(out, { training: { epochs: 5 }, name: 'toString', report: { valueOf: 1 } });
  // 'hasOwnProperty' as an option name is an own key of the override, not the inherited method.
  assert.deepEqual(applyOverrides({}, ['hasOwnProperty.x=1'], 'c.json'), { hasOwnProperty: { x: 1 } });
  assert.throws(
    () => applyOverrides({}, ['training..epochs=1'], 'c.json'),
    /c\.json: --set: 'training\.\.epochs': empty path segment/,
  );
});

const dir = mkdtempSync(join(tmpdir(), 'medattn-override-paths-'));
const npz = join(dir, 'tiny.npz');
writeTinyMedmnist(npz, { train: { n: 16 }, val: { n: 8 } });
const configPath = join(dir, 'c.json');
writeFileSync(configPath, JSON.stringify(tinyConfig(npz)));

const medattn = cliRunner({ cwd: dir });

test('train --set __proto__.polluted=1: exit 1, one line', () => {
  const r = medattn('train', '--config', configPath, '--set', '__proto__.polluted=1', '--out', join(dir, 'run'));
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `medattn: ${configPath}: --set: '__proto__.polluted': '__proto__' is not a config option\n`);
});

test('search --grid with a constructor.prototype key: exit 1, one line, before any training', () => {
  const grid = JSON.stringify({ 'constructor.prototype.polluted': [1, 2] });
  const r = medattn('search', '--config', configPath, '--grid', grid, '--out', join(dir, 'search'));
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    `medattn: ${configPath}: --grid: 'constructor.prototype.polluted': 'constructor' is not a config option\n`,
  );
});
