// Grad-CAM: for a head that is global average pooling + linear, d(score_k)/dA_c = W[k, c] / (h w) everywhere,
// so Grad-CAM must equal ReLU(sum_c W[k, c] A_c) scaled to a peak of 1 (the CAM of Zhou et al. 2016). The
// expected maps are computed here in plain loops from the feature map and the head's weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn } from '../../src/tensor/index.js';
import { AttentionCNN } from '../../src/models/attention-cnn.js';
import { ResNet } from '../../src/models/resnet.js';
import { gradCam, supportsGradCam } from '../../src/explain/index.js';

/** ReLU(sum_c W[k, c] A[n, c]) / its peak, per image n, for class k = classes[n]. */
function expectedCam(a: Float32Array, [n, c, h, w]: number[], weight: Float32Array, classes: number[]): Float32Array {
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    let peak = 0;
    for (let p = 0; p < h * w; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += weight[classes[i] * c + k] * a[(i * c + k) * h * w + p];
      out[i * h * w + p] = Math.max(0, s);
      peak = Math.max(peak, out[i * h * w + p]);
    }
    for (let p = 0; p < h * w; p++) out[i * h * w + p] /= Math.max(peak, 1e-12);
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

// No pooling: the last feature map has the input's size, so no resize sits between Grad-CAM and the check.
function unpooledCnn(): AttentionCNN {
  manualSeed(0);
  return new AttentionCNN({
    inChannels: 1,
    numClasses: 3,
    stages: [
      { channels: 8, attention: 'se', pool: false },
      { channels: 6, attention: 'cbam', pool: false },
    ],
    reduction: 2,
  }).eval();
}

test('Grad-CAM of a GAP + linear classifier equals the class-weighted feature map (CAM)', () => {
  const model = unpooledCnn();
  const x = randn([2, 1, 12, 10]);
  const features = model.featureMap(x);
  const a = features.toArray() as Float32Array;
  const weight = model.head.weight.toArray() as Float32Array;
  const predicted = Array.from(model.forward(x).argmax(1).toArray(), Number);
  for (const classIndex of [undefined, 2, [0, 1]] as const) {
    const classes = classIndex === undefined ? predicted : typeof classIndex === 'number' ? [2, 2] : [...classIndex];
    const cam = gradCam(model, x, { classIndex: classIndex as number | number[] | undefined });
    assert.deepEqual(cam.shape, [2, 1, 12, 10]);
    const diff = maxAbsDiff(cam.toArray() as Float32Array, expectedCam(a, features.shape, weight, classes));
    assert.ok(diff < 1e-5, `class ${JSON.stringify(classIndex)}: max difference ${diff}`);
  }
});

test('Grad-CAM leaves parameter gradients and requiresGrad as they were', () => {
  const model = unpooledCnn();
  const x = randn([1, 1, 8, 8]);
  const head = model.head.weight;
  assert.equal(head.grad, undefined);
  gradCam(model, x);
  assert.equal(head.grad, undefined, 'no gradient accumulated into the head');
  assert.ok(
    model.parameters().every((p) => p.requiresGrad),
    'parameters still trainable',
  );
});

test('Grad-CAM is resized to the input, in [0, 1], for a ResNet with a strided stem', () => {
  manualSeed(1);
  const model = new ResNet({ inChannels: 1, numClasses: 2, widths: [8, 8, 8, 8] }).eval();
  assert.ok(supportsGradCam(model));
  const cam = gradCam(model, randn([2, 1, 64, 48]));
  assert.deepEqual(cam.shape, [2, 1, 64, 48]);
  const v = cam.toArray() as Float32Array;
  assert.ok(Math.min(...v) >= 0 && Math.max(...v) <= 1 && Math.max(...v) > 0.5, 'scaled to a peak near 1');
});

test('a class index the model does not have is a one-line error', () => {
  const model = unpooledCnn();
  assert.throws(
    () => gradCam(model, randn([1, 1, 8, 8]), { classIndex: 3 }),
    /classIndex 3 is not a class of this model \(0\.\.2\)/,
  );
  assert.throws(() => gradCam(model, randn([1, 8, 8])), /expected a 2D image batch/);
});
