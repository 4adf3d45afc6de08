// Autograd gradients against central finite differences (float64) for every differentiable op family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aten, cat, einsum, F, noGrad, stack, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { detValues } from '../helpers/torch-reference.js';

function input(shape: number[], seed: number, transform: (v: number) => number = (v) => v): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(detValues(n, seed).map(transform), { shape, dtype: 'float64', requiresGrad: true });
}

/**
 * Checks d(sum(w * f(x)))/dx for a fixed random w against (f(x + eps e_i) - f(x - eps e_i)) / 2 eps,
 * elementwise, with |analytic - numeric| <= atol + rtol |numeric|.
 */
function gradcheck(f: (xs: Tensor[]) => Tensor, xs: Tensor[], { eps = 1e-6, atol = 1e-6, rtol = 1e-4 } = {}): void {
  tidy(() => {
    const y0 = f(xs);
    const w = tensor(detValues(y0.numel, 99), { shape: y0.shape, dtype: 'float64' });
    const objective = (inputs: Tensor[]) => f(inputs).mul(w).sum();
    objective(xs).backward();
    xs.forEach((x, k) => {
      const analytic = x.grad!.toArray() as Float64Array;
      const base = x.toArray() as Float64Array;
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number) =>
          tidy(() =>
            noGrad(() => {
              const v = Float64Array.from(base);
              v[i] += delta;
              const moved = tensor(v, { shape: x.shape });
              return objective(xs.map((other, j) => (j === k ? moved : other))).item();
            }),
          );
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const diff = Math.abs(analytic[i] - numeric);
        assert.ok(
          diff <= atol + rtol * Math.abs(numeric),
          `input ${k} element ${i}: autograd ${analytic[i]}, finite difference ${numeric}`,
        );
      }
    });
  });
}

const positive = (v: number) => Math.abs(v) + 0.2;

const cases: Record<string, () => void> = {
  arithmetic: () =>
    gradcheck(
      ([a, b]) =>
        a
          .mul(b)
          .add(a.div(b.abs().add(1)))
          .sub(b.pow(2)),
      [input([2, 3], 1), input([3], 2)],
    ),
  unary: () =>
    gradcheck(
      ([a]) => stack([a.exp(), a.log(), a.sqrt(), a.rsqrt(), a.pow(1.5), a.reciprocal(), a.sin(), a.cos(), a.square()]),
      [input([5], 3, positive)],
    ),
  activations: () =>
    gradcheck(
      ([a]) =>
        stack([
          a.sigmoid(),
          a.tanh(),
          a.relu(),
          a.leakyRelu(0.1),
          a.gelu(),
          a.gelu('tanh'),
          a.silu(),
          a.softplus(),
          a.elu(),
        ]),
      [input([6], 4, (v) => (Math.abs(v) < 0.05 ? v + 0.1 : v))],
    ),
  reductions: () =>
    gradcheck(
      ([a]) =>
        cat([a.sum(1), a.mean(0), a.logsumexp(1), a.var(1), a.std(0), a.max(1), a.min(0), a.norm(2, 1), a.prod(1)]),
      [input([3, 4], 5)],
    ),
  softmax: () => gradcheck(([a]) => cat([a.softmax(1).flatten(), a.logSoftmax(0).flatten()]), [input([3, 4], 6)]),
  matmul: () =>
    gradcheck(
      ([a, b, c]) => cat([a.matmul(b).flatten(), einsum('ij,jk->ik', a, b).flatten(), a.unsqueeze(0).bmm(c).flatten()]),
      [input([2, 3], 1), input([3, 2], 2), input([1, 3, 2], 3)],
    ),
  shape_ops: () =>
    gradcheck(
      ([a, b]) =>
        cat([
          a.permute(1, 0).reshape(-1),
          a.transpose(0, 1).flatten(),
          cat([a, b], 0).flatten(),
          stack([a, b]).sum(0).flatten(),
          a.narrow(1, 1, 2).flatten(),
          a.slice(1, 0, 3, 2).flatten(),
          a.flip([1]).flatten(),
          a.roll(1, 1).flatten(),
          a.unsqueeze(0).expand(2, 2, 3).flatten(),
          a.repeat(1, 2).flatten(),
          F.pad(a, [1, 1], 'constant', 0).flatten(),
          F.pad(a.unsqueeze(0), [1, 1], 'reflect').flatten(),
        ]),
      [input([2, 3], 7), input([2, 3], 8)],
    ),
  indexing: () => {
    const idx = tensor([2, 0], { dtype: 'int64' });
    const g = tensor([0, 2, 1, 1], { shape: [2, 2], dtype: 'int64' });
    gradcheck(
      ([a]) =>
        cat([
          a.indexSelect(1, idx).flatten(),
          a.gather(1, g).flatten(),
          a.index([idx.slice(0, 1, 2)]).flatten(),
          a.where(a.gt(0), 0.5).flatten(),
          a.clamp(-0.3, 0.3).flatten(),
        ]),
      [input([2, 3], 9)],
    );
  },
  scatter_embedding: () => {
    const i = tensor([1, 0], { shape: [1, 2], dtype: 'int64' });
    const ids = tensor([2, 0, 2], { dtype: 'int64' });
    gradcheck(
      ([z, s, w]) => cat([z.scatterAdd(1, i, s).flatten(), F.embedding(w, ids).flatten()]),
      [input([1, 3], 1), input([1, 2], 2), input([3, 2], 3)],
    );
  },
  conv1d_2d: () =>
    gradcheck(
      ([x, w1, w2, b]) =>
        cat([
          F.conv1d(x.flatten(2), w1, b, { stride: 2, padding: 1 }).flatten(),
          F.conv2d(x, w2, b, { padding: 1, dilation: 1 }).flatten(),
        ]),
      [input([1, 2, 3, 3], 1), input([2, 2, 3], 2), input([2, 2, 2, 2], 3), input([2], 4)],
    ),
  conv2d_groups_stride: () =>
    gradcheck(
      ([x, w]) => F.conv2d(x, w, undefined, { groups: 2, stride: 2, padding: 1 }),
      [input([1, 2, 4, 4], 1), input([2, 1, 3, 3], 2)],
    ),
  conv3d: () =>
    gradcheck(
      ([x, w]) => F.conv3d(x, w, undefined, { padding: 1 }),
      [input([1, 1, 3, 3, 3], 1), input([1, 1, 2, 2, 2], 2)],
    ),
  conv_transpose: () =>
    gradcheck(
      ([x, w, v, w3]) =>
        cat([
          F.convTranspose2d(x, w, undefined, { stride: 2 }).flatten(),
          F.convTranspose3d(v, w3, undefined, { stride: 2, padding: 1, outputPadding: 1 }).flatten(),
        ]),
      [input([1, 2, 2, 2], 1), input([2, 1, 2, 2], 2), input([1, 1, 2, 2, 2], 3), input([1, 1, 3, 3, 3], 4)],
    ),
  norms: () =>
    gradcheck(
      ([x, w, b]) =>
        cat([
          F.batchNorm(x, { weight: w, bias: b, training: true }).flatten(),
          F.layerNorm(x, [2, 2], undefined, undefined).flatten(),
          F.groupNorm(x, 1, w, b).flatten(),
          F.instanceNorm(x).flatten(),
        ]),
      [input([2, 2, 2, 2], 1), input([2], 2), input([2], 3)],
      { rtol: 1e-3, atol: 1e-5 },
    ),
  pools: () =>
    gradcheck(
      ([x]) =>
        cat([
          F.maxPool2d(x, 2).flatten(),
          F.avgPool2d(x, 3, { stride: 1, padding: 1 }).flatten(),
          F.adaptiveAvgPool2d(x, [2, 3]).flatten(),
          F.adaptiveMaxPool2d(x, 2).flatten(),
          F.maxPool1d(x.flatten(2), 2).flatten(),
        ]),
      [input([1, 1, 4, 4], 5)],
    ),
  pools3d: () =>
    gradcheck(
      ([x]) => cat([F.maxPool3d(x, 2).flatten(), F.avgPool3d(x, 2).flatten(), F.adaptiveAvgPool3d(x, 1).flatten()]),
      [input([1, 1, 2, 4, 4], 6)],
    ),
  interpolate: () =>
    gradcheck(
      ([x, v]) =>
        cat([
          F.interpolate(x, { size: [5, 4], mode: 'bilinear' }).flatten(),
          F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }).flatten(),
          F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }).flatten(),
          F.interpolate(v, { size: [3, 3, 3], mode: 'trilinear' }).flatten(),
        ]),
      [input([1, 1, 3, 3], 1), input([1, 1, 2, 2, 2], 2)],
    ),
  grid_sample_affine: () =>
    gradcheck(
      ([x, theta]) => F.gridSample(x, F.affineGrid(theta, [1, 1, 3, 3]), { paddingMode: 'border' }),
      [
        input([1, 1, 3, 3], 1),
        tensor([0.9, -0.2, 0.1, 0.3, 1.1, -0.05], { shape: [1, 2, 3], dtype: 'float64', requiresGrad: true }),
      ],
    ),
  losses: () => {
    const y = tensor([0, 2, 1], { dtype: 'int64' });
    const t = tensor([1, 0, 0, 1, 1, 0], { shape: [3, 2], dtype: 'float64' });
    const cw = tensor([1, 2, 0.5], { dtype: 'float64' });
    const pw = tensor([3, 0.5], { dtype: 'float64' });
    gradcheck(
      ([l, a, b]) =>
        stack([
          F.crossEntropy(l, y),
          F.crossEntropy(l, y, { weight: cw, labelSmoothing: 0.1 }),
          F.nllLoss(l.logSoftmax(1), y),
          F.binaryCrossEntropyWithLogits(l.slice(1, 0, 2), t, { posWeight: pw }),
          F.mseLoss(a, b),
          F.l1Loss(a, b),
          F.smoothL1Loss(a, b, 'mean', 0.5),
        ]),
      [input([3, 3], 1), input([2, 3], 2), input([2, 3], 3)],
    );
  },
  attention: () =>
    gradcheck(
      ([q, k, v]) => F.scaledDotProductAttention(q, k, v).output,
      [input([1, 2, 3], 1), input([1, 4, 3], 2), input([1, 4, 2], 3)],
    ),
  recurrent: () => {
    // LSTM through the aten op with explicit weights: input [T=2, N=1, I=2], hidden 2.
    gradcheck(
      ([x, wih, whh, bih, bhh]) => {
        const h0 = tensor([0, 0], { shape: [1, 1, 2], dtype: 'float64' });
        const c0 = tensor([0, 0], { shape: [1, 1, 2], dtype: 'float64' });
        const r = aten('lstm.input', x, [h0, c0], [wih, whh, bih, bhh], true, 1, 0, true, false, false) as Tensor[];
        const g = aten(
          'gru.input',
          x,
          h0,
          [wih.slice(0, 0, 6), whh.slice(0, 0, 6), bih.slice(0, 0, 6), bhh.slice(0, 0, 6)],
          true,
          1,
          0,
          true,
          false,
          false,
        ) as Tensor[];
        return cat([r[0].flatten(), r[2].flatten(), g[0].flatten()]);
      },
      [input([2, 1, 2], 1), input([8, 2], 2), input([8, 2], 3), input([8], 4), input([8], 5)],
    );
  },
};

for (const [name, run] of Object.entries(cases)) test(`gradient of ${name} equals finite differences`, run);

test('gradcheck itself detects a wrong gradient', () => {
  // A function whose forward is x^2 but whose gradient is cut: detach breaks the graph for one factor.
  assert.throws(() => gradcheck(([a]) => a.mul(a.detach()), [input([3], 1)]), /finite difference/);
});
