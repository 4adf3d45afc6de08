// Overlays: turbo endpoints, masks drawn without rescaling, probability maps on a fixed [0, 1] range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greyToRgb, maskToRgb, overlayHeatmap, turbo } from '../../src/explain/index.js';

test('turbo runs from dark blue-black to dark red (polynomial of Mikhailov 2019)', () => {
  assert.deepEqual(turbo(0), [35, 23, 27]);
  assert.deepEqual(turbo(1), [144, 13, 0]);
  assert.deepEqual(turbo(-3), turbo(0), 'clamped');
});

test('a mask is white where > 0.5 and black elsewhere, even when it is all foreground', () => {
  assert.deepEqual([...maskToRgb([1, 1])], [255, 255, 255, 255, 255, 255]);
  assert.deepEqual([...maskToRgb([0, 0.7, 0.2])], [0, 0, 0, 255, 255, 255, 0, 0, 0]);
  // greyToRgb min-max scales: a constant image is black, which is why masks do not use it.
  assert.deepEqual([...greyToRgb([1, 1])], [0, 0, 0, 0, 0, 0]);
});

test('a probability map keeps its absolute scale with range [0, 1]; attention maps are min-max scaled', () => {
  const grey = [0, 1];
  const half = [0.5, 0.5];
  assert.deepEqual([...overlayHeatmap(grey, half, 1, [0, 1])], [...turbo(0.5), ...turbo(0.5)]);
  assert.deepEqual([...overlayHeatmap(grey, half, 1)], [...turbo(0), ...turbo(0)]);
  // alpha blends colour over the grey image: 0.5 * turbo(1) + 0.5 * 255 on the white pixel.
  const [r, g, b] = turbo(1);
  assert.deepEqual([...overlayHeatmap(grey, [1, 1], 0.5, [0, 1])].slice(3), [
    Math.round(0.5 * r + 127.5),
    Math.round(0.5 * g + 127.5),
    Math.round(0.5 * b + 127.5),
  ]);
});
