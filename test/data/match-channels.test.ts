// An uploaded image is brought to the channels the run's eval transforms expect: a pipeline that picks the green
// channel of an RGB fundus photograph (selectChannels [1], a 1-channel model) must see the RGB image, not its
// channel mean (which has one channel, so selectChannels [1] threw); a grey upload is repeated up to the picked
// channel. Hand-computed 1x2 images, and the serving path (prepareInput) end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MedicalImage } from '../../src/data/medical-image.js';
import { matchChannels, matchChannelsForTransforms } from '../../src/data/match-channels.js';
import type { TransformSpec } from '../../src/data/transforms/index.js';
import { prepareInput } from '../../src/serve/model-input.js';
import type { ModelInfo } from '../../src/serve/model-info.js';

// R = [10, 20], G = [30, 40], B = [50, 60], one row of two pixels
const rgb: MedicalImage<Float32Array> = { data: Float32Array.from([10, 20, 30, 40, 50, 60]), shape: [3, 1, 2] };
const grey: MedicalImage<Float32Array> = { data: Float32Array.from([7, 9]), shape: [1, 1, 2] };
const green: TransformSpec[] = [{ type: 'selectChannels', channels: [1] } as TransformSpec];

test('without selectChannels the image is matched to the model (RGB -> grey by the channel mean)', () => {
  const out = matchChannelsForTransforms(rgb, [], 1);
  assert.deepEqual(out.shape, [1, 1, 2]);
  assert.deepEqual(Array.from(out.data), [30, 40]);
  assert.deepEqual(Array.from(matchChannels(grey, 3).data), [7, 9, 7, 9, 7, 9]);
});

test('with selectChannels an RGB image keeps its channels, a grey one is repeated up to the picked channel', () => {
  assert.equal(matchChannelsForTransforms(rgb, green, 1), rgb);
  const g = matchChannelsForTransforms(grey, green, 1);
  assert.deepEqual(g.shape, [2, 1, 2]);
  assert.deepEqual(Array.from(g.data), [7, 9, 7, 9]);
});

test('serving a green-channel model: prepareInput feeds the green plane of an RGB upload, the grey of a grey one', () => {
  const info: ModelInfo = {
    task: 'segmentation',
    model: 'attention_unet',
    inputChannels: 1,
    normalization: [...green, { type: 'toFloat', scale: 0.1 } as TransformSpec],
    classNames: ['background', 'vessel'],
    threshold: 0.5,
    thresholdSource: 'default',
    padMultiple: 1,
    version: 'test',
  };
  const fromRgb = prepareInput(rgb, info);
  assert.deepEqual(fromRgb.shape, [1, 1, 1, 2]);
  assert.deepEqual(Array.from(fromRgb.data), [3, 4]);
  assert.deepEqual(Array.from(prepareInput(grey, info).data), [Math.fround(0.7), Math.fround(0.9)]);
});
