import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/data/transforms/index.js';

const draw = (r: Rng, n = 8): number[] => Array.from({ length: n }, () => r.next());

test('same seed gives the same stream, different seeds differ', () => {
  assert.deepEqual(draw(Rng.seeded(42)), draw(Rng.seeded(42)));
  assert.notDeepEqual(draw(Rng.seeded(42)), draw(Rng.seeded(43)));
  assert.notDeepEqual(draw(Rng.seeded(0)), draw(Rng.seeded(2 ** 32)));
});

test('fork is a pure function of the seed and the fork number, not of draws made', () => {
  const a = Rng.seeded(7);
  const b = Rng.seeded(7);
  draw(b, 100);
  assert.deepEqual(draw(a.fork(3)), draw(b.fork(3)));
  assert.notDeepEqual(draw(a.fork(3)), draw(a.fork(4)));
  assert.deepEqual(draw(Rng.seeded(7).fork(1).fork(2)), draw(Rng.seeded(7).fork(1).fork(2)));
  assert.notDeepEqual(draw(Rng.seeded(7).fork(1).fork(2)), draw(Rng.seeded(7).fork(2).fork(1)));
});

test('uniform, int and normal have the expected ranges and moments', () => {
  const r = Rng.seeded(1);
  let sum = 0;
  let sq = 0;
  const n = 20000;
  const counts = new Array(5).fill(0);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    counts[r.int(5)]++;
    const z = r.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.03, `normal mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.05, `normal variance ${sq / n}`);
  for (const c of counts) assert.ok(Math.abs(c / n - 0.2) < 0.02);
});

test('shuffle is a permutation and reproducible', () => {
  const a = Rng.seeded(5).shuffle([...Array(50).keys()]);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    [...Array(50).keys()],
  );
  assert.deepEqual(a, Rng.seeded(5).shuffle([...Array(50).keys()]));
  assert.notDeepEqual(a, [...Array(50).keys()]);
});
