// CT Hounsfield windows by preset, as a transform (also from a JSON spec) and in overlays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CtWindow } from '../../../src/data/transforms/ct-window.js';
import { createTransform } from '../../../src/data/transforms/spec.js';
import { Rng } from '../../../src/data/transforms/rng.js';
import { greyToRgb } from '../../../src/explain/overlay.js';
import { WINDOW_PRESETS } from '../../../src/data/io/dicom/window.js';

const hu = Float32Array.of(-1000, -600, 0, 40, 80, 300, 1300);
const ct = { data: hu, shape: [1, 1, 7] };

test('presets map HU linearly to [0, 1] and clip: brain 40/80, bone 400/1800, soft tissue 50/400, lung -600/1500', () => {
  const win = (preset: 'brain' | 'bone' | 'softTissue' | 'lung') =>
    Array.from((new CtWindow({ preset }).apply({ image: ct }).image as { data: Float32Array }).data);
  assert.deepEqual(win('brain'), [0, 0, 0, 0.5, 1, 1, 1]); // [0, 80]
  const close = (a: number[], b: number[]) =>
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${v} vs ${b[i]}`));
  close(win('bone'), [0, 0, 500 / 1800, 540 / 1800, 580 / 1800, 800 / 1800, 1]); // [-500, 1300]
  close(win('softTissue'), [0, 0, 150 / 400, 190 / 400, 230 / 400, 1, 1]); // [-150, 250]
  close(win('lung'), [350 / 1500, 750 / 1500, 1350 / 1500, 1390 / 1500, 1430 / 1500, 1, 1]); // [-1350, 150]
  const fromSpec = createTransform({ type: 'ctWindow', preset: 'brain' });
  assert.deepEqual(
    Array.from((fromSpec.apply({ image: ct }, Rng.seeded(1)).image as { data: Float32Array }).data),
    win('brain'),
  );
  assert.throws(() => new CtWindow({ preset: 'liver' as never }), /unknown preset "liver"/);
});

test('overlay base image through a CT window instead of min-max', () => {
  const rgb = greyToRgb(hu, WINDOW_PRESETS.brain);
  assert.deepEqual(Array.from(rgb.filter((_, i) => i % 3 === 0)), [0, 0, 0, 128, 255, 255, 255]);
  // Min-max (no window) keeps the whole range: 40 HU is (1040 / 2300) of white.
  assert.equal(greyToRgb(hu)[9], Math.round((1040 / 2300) * 255));
});
