// CenterNet-style detector: NMS, target encoding <-> decoding, loss and gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, manualSeed, randn, tidy } from '../../src/tensor/index.js';
import { CenterNet, batchedNms, centerNetLoss, centerNetTargets, iou, nms, type Box } from '../../src/models/index.js';

manualSeed(0);

test('NMS keeps the best box of each overlapping group (and per class with batchedNms)', () => {
  const boxes: Box[] = [
    [0, 0, 10, 10],
    [1, 1, 11, 11],
    [20, 20, 30, 30],
    [0, 0, 9, 10],
    [21, 20, 30, 31],
  ];
  const scores = [0.9, 0.8, 0.7, 0.95, 0.6];
  assert.ok(Math.abs(iou(boxes[0], boxes[1]) - 81 / 119) < 1e-12);
  assert.equal(iou(boxes[0], boxes[2]), 0);
  assert.deepEqual(nms(boxes, scores, 0.5), [3, 2]);
  assert.deepEqual(nms(boxes, scores, 0.95), [3, 0, 1, 2, 4]);
  assert.deepEqual(batchedNms(boxes, scores, [0, 1, 0, 0, 0], 0.5), [3, 1, 2]);
});

test('targets encoded as a perfect network output decode back to the boxes', () => {
  const net = new CenterNet({
    numClasses: 2,
    headChannels: 8,
    stages: [
      { channels: 8, attention: 'se' },
      { channels: 8, attention: 'cbam' },
      { channels: 8, attention: 'eca' },
    ],
  });
  const gt = [
    {
      boxes: [
        [10, 12, 30, 40],
        [40, 8, 60, 20],
      ] as Box[],
      classes: [0, 1],
    },
    { boxes: [[4, 4, 60, 60]] as Box[], classes: [1] },
  ];
  tidy(() => {
    const t = centerNetTargets(gt, 2, [64, 64]);
    assert.deepEqual(t.heatmap.shape, [2, 2, 16, 16]);
    assert.equal(t.mask.sum().item(), 3);
    assert.equal(t.heatmap.eq(1).sum().item(), 3);
    // logit of the heatmap (peaks at 1 -> large logit), regression as is
    const logits = t.heatmap
      .clamp(1e-6, 1 - 1e-6)
      .div(t.heatmap.clamp(1e-6, 1 - 1e-6).rsub(1))
      .log();
    const output = cat([logits, t.regression], 1);
    const dets = net.decode(output, { scoreThreshold: 0.5 });
    assert.equal(dets.length, 2);
    const sorted = dets.map((d) => d.sort((a, b) => a.box[0] - b.box[0]));
    assert.deepEqual(
      sorted[0].map((d) => d.classId),
      [0, 1],
    );
    assert.deepEqual(
      sorted[1].map((d) => d.classId),
      [1],
    );
    sorted.flat().forEach((d, i) => {
      const want = [...gt[0].boxes, ...gt[1].boxes][i];
      for (let k = 0; k < 4; k++) assert.ok(Math.abs(d.box[k] - want[k]) < 1e-3, `box ${i}: ${d.box} vs ${want}`);
      assert.ok(d.score > 0.99);
    });
    // the loss of the perfect output is (nearly) zero on the regression terms
    const perfect = centerNetLoss(output, t, 2);
    assert.ok(perfect.size.item() < 1e-6 && perfect.offset.item() < 1e-6);
  });
  tidy(() => {
    const x = randn([2, 1, 64, 64]);
    const out = net.forward(x);
    assert.deepEqual(out.shape, [2, 6, 16, 16]);
    const { heatmap, size, offset } = net.splitHeads(out);
    assert.deepEqual(
      [heatmap.shape, size.shape, offset.shape],
      [
        [2, 2, 16, 16],
        [2, 2, 16, 16],
        [2, 2, 16, 16],
      ],
    );
    // initial scores are about sigmoid(-2.19) = 0.1
    assert.ok(Math.abs(heatmap.sigmoid().mean().item() - 0.1) < 0.05);
    const l = centerNetLoss(out, centerNetTargets(gt, 2, [64, 64]), 2);
    assert.ok(Number.isFinite(l.loss.item()) && l.loss.item() > 0);
    l.loss.backward();
    for (const [p, t] of net.namedParameters()) assert.ok(t.grad, `${p} has no gradient`);
    const dets = net.decode(out.detach(), { topK: 20, scoreThreshold: 0 });
    assert.ok(dets.every((d) => d.length <= 20));
  });
  net.dispose();
});
