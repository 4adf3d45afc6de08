// clDice (Shit et al. 2021) against the paper's reference formulas run in PyTorch: loss values and gradients on a
// real DRIVE vessel mask (2D) and on seeded volumes (3D), and the losses that mix it with Dice and BCE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readImageFile } from '../../src/data/io/index.js';
import { tensor } from '../../src/tensor/index.js';
import { clDiceLoss, softSkeleton } from '../../src/train/cldice-loss.js';
import { createLoss, maskedBce, softDiceLoss } from '../../src/train/losses.js';
import { detValues, torchReference } from '../helpers/torch-reference.js';
import { dataPath, needsData } from '../helpers/shared-data.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// The paper's reference code (github.com/jocpae/clDice, soft_skeleton.py and cldice.py), transcribed.
const REFERENCE = `
def soft_erode(img):
    if img.dim() == 4:
        p1 = -F.max_pool2d(-img, (3, 1), (1, 1), (1, 0))
        p2 = -F.max_pool2d(-img, (1, 3), (1, 1), (0, 1))
        return torch.min(p1, p2)
    p1 = -F.max_pool3d(-img, (3, 1, 1), (1, 1, 1), (1, 0, 0))
    p2 = -F.max_pool3d(-img, (1, 3, 1), (1, 1, 1), (0, 1, 0))
    p3 = -F.max_pool3d(-img, (1, 1, 3), (1, 1, 1), (0, 0, 1))
    return torch.min(torch.min(p1, p2), p3)
def soft_dilate(img):
    return F.max_pool2d(img, (3, 3), (1, 1), (1, 1)) if img.dim() == 4 else F.max_pool3d(img, (3, 3, 3), (1, 1, 1), (1, 1, 1))
def soft_open(img):
    return soft_dilate(soft_erode(img))
def soft_skel(img, iter_):
    img1 = soft_open(img)
    skel = F.relu(img - img1)
    for j in range(iter_):
        img = soft_erode(img)
        img1 = soft_open(img)
        delta = F.relu(img - img1)
        skel = skel + F.relu(delta - skel * delta)
    return skel
def cldice(p, t, iter_):
    sp, st = soft_skel(p, iter_), soft_skel(t, iter_)
    tprec = (torch.sum(sp * t) + 1) / (torch.sum(sp) + 1)
    tsens = (torch.sum(st * p) + 1) / (torch.sum(st) + 1)
    return 1 - 2 * (tprec * tsens) / (tprec + tsens)
`;

/** A 64x64 crop of DRIVE case 21's manual vessel mask (0/1) and a noisy probability map from it. */
async function driveCrop(): Promise<{ mask: number[]; probs: number[] }> {
  const image = await readImageFile(dataPath('drive', 'training', '1st_manual', '21_manual1.gif'));
  const [, , width] = image.shape;
  const mask: number[] = [];
  for (let y = 300; y < 364; y++) for (let x = 150; x < 214; x++) mask.push(image.data[y * width + x] > 127 ? 1 : 0);
  const noise = detValues(mask.length, 7);
  const probs = mask.map((m, i) => Math.min(0.99, Math.max(0.01, 0.15 + 0.65 * m + 0.2 * noise[i])));
  return { mask, probs };
}

test('clDice on a DRIVE vessel mask equals the reference, value and gradient', needsData('drive'), async () => {
  const { mask, probs } = await driveCrop();
  assert.ok(mask.reduce((a, b) => a + b, 0) > 200, 'the crop holds vessels');
  const shape = [1, 1, 64, 64];
  for (const iterations of [3, 10]) {
    const ref = torchReference(
      {
        c: {
          inputs: {
            p: { shape, values: probs, dtype: 'float64', requiresGrad: true },
            t: { shape, values: mask, dtype: 'float64' },
          },
          py: `loss = cldice(p, t, ${iterations})
loss.backward()
result = [loss, p.grad, soft_skel(t, ${iterations})]`,
        },
      },
      REFERENCE,
    ).c as { data: number[] }[];
    const p = tensor(probs, { shape, requiresGrad: true });
    const loss = clDiceLoss(p, tensor(mask, { shape }), undefined, iterations);
    close(loss.item(), ref[0].data[0], 1e-5, `loss, ${iterations} iterations`);
    loss.backward();
    const grad = p.grad!.toFloat32Array();
    const gradError = Math.max(...ref[1].data.map((g, i) => Math.abs(g - grad[i])));
    assert.ok(gradError < 1e-6, `gradient max abs error ${gradError}`);
    const skeleton = softSkeleton(tensor(mask, { shape }), iterations).toFloat32Array();
    assert.deepEqual(Array.from(skeleton), ref[2].data, 'the true mask skeleton');
  }
});

test('clDice of 3D volumes equals the reference; a perfect prediction scores 0', () => {
  const shape = [2, 1, 6, 7, 5];
  const n = shape.reduce((a, b) => a * b, 1);
  const target = detValues(n, 3).map((v) => (v > 0.2 ? 1 : 0));
  const probs = detValues(n, 4).map((v) => 0.5 + 0.45 * v);
  const ref = torchReference(
    {
      c: {
        inputs: { p: { shape, values: probs, dtype: 'float64' }, t: { shape, values: target, dtype: 'float64' } },
        py: 'result = cldice(p, t, 3)',
      },
    },
    REFERENCE,
  ).c as { data: number[] };
  close(clDiceLoss(tensor(probs, { shape }), tensor(target, { shape })).item(), ref.data[0], 1e-5, '3D loss');
  close(clDiceLoss(tensor(target, { shape }), tensor(target, { shape })).item(), 0, 1e-6, 'perfect');
});

test('cldice and cldice_bce mix soft Dice, clDice and BCE inside the ROI', () => {
  const shape = [1, 1, 8, 8];
  const logits = tensor(
    detValues(64, 11).map((v) => 3 * v),
    { shape },
  );
  const target = tensor(
    detValues(64, 12).map((v) => (v > 0 ? 1 : 0)),
    { shape },
  );
  const roi = tensor(
    Array.from({ length: 64 }, (_, i) => (i % 8 < 6 ? 1 : 0)),
    { shape },
  );
  const probs = logits.sigmoid();
  const dice = softDiceLoss(probs, target, roi).item();
  const cl = clDiceLoss(probs, target, roi, 5).item();
  const bce = maskedBce(logits, target, roi).item();
  const options = { cldiceAlpha: 0.3, skeletonIterations: 5 };
  close(createLoss('cldice', options)(logits, target, roi).item(), 0.7 * dice + 0.3 * cl, 1e-6, 'cldice');
  close(createLoss('cldice_bce', options)(logits, target, roi).item(), 0.7 * dice + 0.3 * cl + bce, 1e-6, 'cldice_bce');
  // Outside the ROI nothing counts: changing the logits there leaves the loss unchanged.
  const outside = tensor(
    Array.from({ length: 64 }, (_, i) => (i % 8 < 6 ? 0 : 50)),
    { shape },
  );
  close(
    createLoss('cldice_bce', options)(logits.add(outside), target, roi).item(),
    0.7 * dice + 0.3 * cl + bce,
    1e-6,
    'ROI',
  );
});
