// Losses against hand-computed values and PyTorch formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/index.js';
import { createLoss, focalLoss, maskedBce, softDiceLoss, softMccLoss } from '../../src/train/losses.js';
import { torchReference } from '../helpers/torch-reference.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('focal loss equals -(1-p_y)^gamma log p_y, with class weights, and reduces to CE at gamma 0', () => {
  const logits = [
    [2, 0.5],
    [0.1, 1.2],
    [-1, 3],
  ];
  const y = [0, 1, 0];
  const ref = torchReference({
    focal: {
      inputs: {
        l: { shape: [3, 2], values: logits.flat() },
        y: { shape: [3], values: y, dtype: 'int64' },
        w: { shape: [2], values: [0.3, 0.7] },
      },
      py: `lp = l.log_softmax(1).gather(1, y.unsqueeze(1)).squeeze(1)
f = -(1 - lp.exp()) ** 2 * lp
ww = w[y]
result = torch.stack([f.mean(), (f * ww).sum() / ww.sum(), F.cross_entropy(l, y)])`,
    },
  }).focal.data as number[];
  const l = tensor(logits);
  const t = tensor(y, { dtype: 'int64' });
  close(focalLoss(l, t, 2).item(), ref[0]);
  close(focalLoss(l, t, 2, tensor([0.3, 0.7])).item(), ref[1]);
  close(focalLoss(l, t, 0).item(), ref[2]);
});

test('soft Dice and masked BCE by hand', () => {
  const p = tensor([[0.9, 0.2, 0.8, 0.1]]);
  const t = tensor([[1, 0, 0, 0]]);
  // intersection 0.9, sums 2.0 + 1 -> 1 - (1.8 + 1) / (3 + 1) = 0.3
  close(softDiceLoss(p, t).item(), 0.3);
  const roi = tensor([[1, 1, 0, 0]]);
  // inside the ROI: intersection 0.9, sums 1.1 + 1 -> 1 - 2.8 / 3.1
  close(softDiceLoss(p, t, roi).item(), 1 - 2.8 / 3.1);
  const logits = tensor([[2, -1, 5, 0]]);
  const bce = (x: number, y: number) => Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
  close(maskedBce(logits, t, roi).item(), (bce(2, 1) + bce(-1, 0)) / 2);
});

test('soft MCC: on hard predictions 1 - MCC of the confusion matrix, inside the ROI; 0 when perfect, 2 when inverted', () => {
  const t = tensor([[1, 1, 1, 1, 1, 0, 0, 0, 0, 0]]);
  const p = tensor([[1, 1, 1, 0, 0, 1, 0, 0, 1, 1]]);
  // TP 3, FN 2, FP 3, TN 2: MCC = (3*2 - 3*2) / ... = 0
  close(softMccLoss(p, t).item(), 1);
  const roi = tensor([[1, 1, 1, 1, 1, 1, 1, 1, 0, 0]]); // leaves out two false positives
  // TP 3, FN 2, FP 1, TN 2: (6 - 2) / sqrt(4 * 5 * 3 * 4)
  close(softMccLoss(p, t, roi).item(), 1 - 4 / Math.sqrt(240));
  close(softMccLoss(t, t).item(), 0);
  close(softMccLoss(t.rsub(1), t).item(), 2);
  // createLoss('mcc_bce') adds masked BCE to the soft MCC of sigmoid(logits)
  const logits = tensor([[2, -1, 0.5, 3, -2, 0, 1, -3, 4, -4]]);
  const mixed = createLoss('mcc_bce')(logits, t, roi).item();
  close(mixed, softMccLoss(logits.sigmoid(), t, roi).item() + maskedBce(logits, t, roi).item());
});

test('soft MCC gradient equals central finite differences (float64)', () => {
  const values = [0.9, 0.2, 0.7, 0.4, 0.1, 0.6, 0.35, 0.8, 0.05];
  const target = tensor([1, 0, 1, 1, 0, 0, 0, 1, 0], { shape: [1, 1, 3, 3], dtype: 'float64' });
  const roi = tensor([1, 1, 1, 1, 1, 1, 0, 1, 1], { shape: [1, 1, 3, 3], dtype: 'float64' });
  const loss = (v: number[]) => softMccLoss(tensor(v, { shape: [1, 1, 3, 3], dtype: 'float64' }), target, roi).item();
  const p = tensor(values, { shape: [1, 1, 3, 3], dtype: 'float64', requiresGrad: true });
  softMccLoss(p, target, roi).backward();
  const grad = p.grad!.toArray() as Float64Array;
  const h = 1e-6;
  values.forEach((_, i) => {
    const up = values.map((v, j) => (j === i ? v + h : v));
    const down = values.map((v, j) => (j === i ? v - h : v));
    close(grad[i], (loss(up) - loss(down)) / (2 * h), 1e-8);
  });
  assert.equal(grad[6], 0, 'a pixel outside the ROI gets no gradient');
});

test('every loss gives a finite scalar with a gradient', () => {
  for (const name of ['cross_entropy', 'focal'] as const) {
    const l = tensor(
      [
        [1, 2],
        [0, -1],
      ],
      { requiresGrad: true },
    );
    const loss = createLoss(name)(l, tensor([1, 0], { dtype: 'int64' }));
    loss.backward();
    assert.ok(Number.isFinite(loss.item()) && l.grad!.abs().sum().item() > 0, name);
  }
  for (const name of ['bce', 'dice', 'dice_bce', 'mcc', 'mcc_bce'] as const) {
    const l = tensor(
      [
        [
          [
            [1, -2],
            [0.5, 3],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    const loss = createLoss(name)(
      l,
      tensor([
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
      ]),
      tensor([
        [
          [
            [1, 1],
            [1, 0],
          ],
        ],
      ]),
    );
    loss.backward();
    assert.ok(Number.isFinite(loss.item()) && l.grad!.abs().sum().item() > 0, name);
  }
  const l = tensor(
    Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    { shape: [1, 3, 2, 2], requiresGrad: true },
  );
  const loss = createLoss('dice_ce')(l, tensor([0, 1, 2, 1], { shape: [1, 2, 2], dtype: 'int64' }));
  loss.backward();
  assert.ok(Number.isFinite(loss.item()) && l.grad!.abs().sum().item() > 0, 'dice_ce');
});

test('dice_ce and cross_entropy take the loader float {0,1} masks [N, 1, H, W] for a 2-channel output', () => {
  // Before: one_hot failed on float targets. Now the float mask gives the same loss as its int64 indices, and
  // both equal the PyTorch formula (foreground Dice with smoothing 1, plus mean cross entropy).
  const mask = [0, 1, 1, 0, 1, 1, 0, 0];
  const logits = Array.from({ length: 16 }, (_, i) => Math.cos(1.7 * i));
  const ref = torchReference({
    dice_ce: {
      inputs: {
        l: { shape: [2, 2, 2, 2], values: logits },
        y: { shape: [2, 2, 2], values: mask, dtype: 'int64' },
      },
      py: `p = l.softmax(1)[:, 1]
t = (y == 1).float()
dice = 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)
result = torch.stack([dice + F.cross_entropy(l, y), F.cross_entropy(l, y)])`,
    },
  }).dice_ce.data as number[];
  const l = tensor(logits, { shape: [2, 2, 2, 2] });
  const floatMask = tensor(mask, { shape: [2, 1, 2, 2] });
  const indices = tensor(mask, { shape: [2, 2, 2], dtype: 'int64' });
  close(createLoss('dice_ce')(l, floatMask).item(), ref[0], 1e-5);
  close(createLoss('dice_ce')(l, indices).item(), ref[0], 1e-5);
  close(createLoss('cross_entropy')(l, floatMask).item(), ref[1], 1e-5);
});
