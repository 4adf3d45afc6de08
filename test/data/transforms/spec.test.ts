import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Compose,
  createTransform,
  RandomApply,
  OneOf,
  Rng,
  type TransformSpec,
} from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { fromFn } from './helpers.js';

const image = fromFn(16, 16, (y, x) => (y * 3 + x * 5) % 7);
const out = (t: { apply: (s: Record<string, unknown>, r: Rng) => Record<string, unknown> }, seed: number): number[] =>
  Array.from((t.apply({ image }, Rng.seeded(seed)).image as MedicalImage).data);

test('a JSON pipeline (through JSON.stringify) builds the same transforms as code', () => {
  const spec: TransformSpec[] = [
    { type: 'resize', size: [24, 24] },
    { type: 'randAffine', rotate: 15, scale: 0.1, p: 0.8 },
    { type: 'randFlip', axes: [1] },
    {
      type: 'oneOf',
      transforms: [
        { type: 'randGamma', gamma: [0.7, 1.5] },
        { type: 'randContrast', factor: [0.8, 1.2] },
      ],
    },
    { type: 'normalizeIntensity' },
  ];
  const a = createTransform(JSON.parse(JSON.stringify(spec)) as TransformSpec[]);
  const b = createTransform(spec);
  assert.ok(a instanceof Compose, 'a list becomes a Compose');
  assert.deepEqual(out(a, 1), out(b, 1));
  assert.notDeepEqual(out(a, 1), out(a, 2));
});

test('RandomApply: p=0 passes through, p=1 always applies; the wrapped stream does not depend on the coin', () => {
  const inner = createTransform({ type: 'randBrightness', offset: [1, 2] });
  assert.deepEqual(out(new RandomApply(inner, 0), 1), Array.from(image.data));
  const fired = out(new RandomApply(inner, 1), 1);
  assert.notDeepEqual(fired, Array.from(image.data));
  let applied = 0;
  for (let s = 0; s < 200; s++) if (out(new RandomApply(inner, 0.3), s)[0] !== image.data[0]) applied++;
  assert.ok(applied > 35 && applied < 85, `applied ${applied}/200 at p=0.3`);
});

test('OneOf picks each branch by weight', () => {
  const a = createTransform({ type: 'randBrightness', offset: [10, 10] });
  const b = createTransform({ type: 'randBrightness', offset: [20, 20] });
  const t = new OneOf([a, b], [1, 3]);
  let nb = 0;
  for (let s = 0; s < 200; s++) if (out(t, s)[0] === image.data[0] + 20) nb++;
  assert.ok(nb > 125 && nb < 175, `branch b ${nb}/200`);
});

test('unknown types and bad options are TransformErrors naming the problem', () => {
  assert.throws(() => createTransform({ type: 'randRotate' } as unknown as TransformSpec), {
    name: 'TransformError',
    message: /unknown transform type "randRotate"/,
  });
  assert.throws(() => createTransform({ type: 'randGamma', gamma: [2, 1] }), {
    name: 'TransformError',
    message: /gamma/,
  });
  assert.throws(() => createTransform({ type: 'randFlip', p: 2 }), { name: 'TransformError' });
});
