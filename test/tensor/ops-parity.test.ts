// Every op family against PyTorch (Debian's python3-torch) on the same fixed inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aten,
  cat,
  einsum,
  eye,
  F,
  full,
  linspace,
  ones,
  stack,
  tensor,
  where,
  zeros,
  arange,
  type Tensor,
} from '../../src/tensor/index.js';
import { assertMatchesTorch, makeInput, torchReference, type InputSpec } from '../helpers/torch-reference.js';

type Case = {
  inputs: Record<string, InputSpec>;
  py: string;
  ts: (x: Record<string, Tensor>) => Tensor | Tensor[];
  atol?: number;
};

const A = { shape: [2, 3, 4], seed: 1 };
const B = { shape: [2, 3, 4], seed: 2 };
const M = { shape: [3, 4], seed: 3 };
const N4 = { shape: [4, 5], seed: 4 };
const IMG = { shape: [2, 3, 6, 6], seed: 5 };
const VOL = { shape: [1, 2, 4, 4, 4], seed: 6 };
const POS = { shape: [2, 3, 4], seed: 7 }; // made positive in the expressions

const cases: Record<string, Case> = {
  // elementwise with broadcasting
  add_bcast: { inputs: { a: A, m: { shape: [4], seed: 9 } }, py: 'a + m * 2', ts: ({ a, m }) => a.add(m, 2) },
  sub_scalar: { inputs: { a: A }, py: 'a - 0.5', ts: ({ a }) => a.sub(0.5) },
  mul_div: { inputs: { a: A, b: B }, py: 'a * b / (b.abs() + 1)', ts: ({ a, b }) => a.mul(b).div(b.abs().add(1)) },
  pow: { inputs: { p: POS }, py: '(p.abs() + 0.1) ** 1.7', ts: ({ p }) => p.abs().add(0.1).pow(1.7) },
  unary: {
    inputs: { p: POS },
    py: 'torch.stack([p.abs().add(0.1).log(), p.exp(), (p.abs()+0.1).sqrt(), p.sigmoid(), p.tanh(), p.relu(), F.leaky_relu(p, 0.2), F.gelu(p), F.silu(p), F.softplus(p), p.neg(), p.sign(), F.elu(p)])',
    ts: ({ p }) =>
      stack([
        p.abs().add(0.1).log(),
        p.exp(),
        p.abs().add(0.1).sqrt(),
        p.sigmoid(),
        p.tanh(),
        p.relu(),
        p.leakyRelu(0.2),
        p.gelu(),
        p.silu(),
        p.softplus(),
        p.neg(),
        p.sign(),
        p.elu(),
      ]),
  },
  clamp_where: {
    inputs: { a: A, b: B },
    py: 'torch.where(a > b, a.clamp(-0.5, 0.5), b)',
    ts: ({ a, b }) => a.clamp(-0.5, 0.5).where(a.gt(b), b),
  },
  comparisons: {
    inputs: { a: A, b: B },
    py: 'torch.stack([a.eq(b), a.ne(b), a.gt(b), a.ge(0), a.lt(b), a.le(0)]).float()',
    ts: ({ a, b }) => stack([a.eq(b), a.ne(b), a.gt(b), a.ge(0), a.lt(b), a.le(0)]).float(),
  },
  maximum_minimum: {
    inputs: { a: A, b: B },
    py: 'torch.stack([torch.maximum(a, b), torch.minimum(a, b)])',
    ts: ({ a, b }) => stack([a.maximum(b), a.minimum(b)]),
  },
  // reductions
  sum_dims: { inputs: { a: A }, py: 'a.sum(dim=(0, 2), keepdim=True)', ts: ({ a }) => a.sum([0, 2], true) },
  mean_all: { inputs: { a: A }, py: 'a.mean()', ts: ({ a }) => a.mean() },
  max_min: { inputs: { a: A }, py: 'torch.stack([a.amax(1), a.amin(1)])', ts: ({ a }) => stack([a.max(1), a.min(1)]) },
  max_indices: { inputs: { a: A }, py: 'a.max(2).indices.float()', ts: ({ a }) => a.maxWithIndices(2).indices.float() },
  argmax_argmin: {
    inputs: { a: A },
    py: 'torch.stack([a.argmax(1), a.argmin(1)]).float()',
    ts: ({ a }) => stack([a.argmax(1), a.argmin(1)]).float(),
  },
  var_std: {
    inputs: { a: A },
    py: 'torch.stack([a.var(2), a.std(2), a.var(2, unbiased=False)])',
    ts: ({ a }) => stack([a.var(2), a.std(2), a.var(2, { unbiased: false })]),
  },
  logsumexp: { inputs: { a: A }, py: 'a.logsumexp(1)', ts: ({ a }) => a.logsumexp(1) },
  norm: { inputs: { a: A }, py: 'a.norm(2, dim=1)', ts: ({ a }) => a.norm(2, 1) },
  topk: { inputs: { a: A }, py: 'a.topk(2, dim=2).values', ts: ({ a }) => a.topk(2, 2).values },
  sort: {
    inputs: { a: A },
    py: 'torch.stack([a.sort(2, descending=True).values, a.argsort(2).float()])',
    ts: ({ a }) => stack([a.sort(2, true).values, a.argsort(2).float()]),
  },
  cumsum_prod: {
    inputs: { a: A },
    py: 'torch.stack([a.cumsum(1), a.prod(1, keepdim=True).expand(2, 3, 4)])',
    ts: ({ a }) => stack([a.cumsum(1), a.prod(1, true).expand(2, 3, 4)]),
  },
  // linear algebra
  matmul: { inputs: { m: M, n: N4 }, py: 'm @ n', ts: ({ m, n }) => m.matmul(n) },
  bmm: { inputs: { a: A, c: { shape: [2, 4, 5], seed: 10 } }, py: 'torch.bmm(a, c)', ts: ({ a, c }) => a.bmm(c) },
  einsum: {
    inputs: { a: A, c: { shape: [2, 4, 5], seed: 10 } },
    py: "torch.einsum('bij,bjk->bik', a, c)",
    ts: ({ a, c }) => einsum('bij,bjk->bik', a, c),
  },
  // shape
  reshape_permute: {
    inputs: { a: A },
    py: 'a.permute(2, 0, 1).reshape(4, 6).t()',
    ts: ({ a }) => a.permute(2, 0, 1).reshape(4, 6).t(),
  },
  transpose_flatten: {
    inputs: { a: A },
    py: 'a.transpose(0, 2).flatten(1)',
    ts: ({ a }) => a.transpose(0, 2).flatten(1),
  },
  squeeze_unsqueeze: {
    inputs: { a: A },
    py: 'a.unsqueeze(1).unsqueeze(-1).squeeze(1).squeeze(-1)',
    ts: ({ a }) => a.unsqueeze(1).unsqueeze(-1).squeeze(1).squeeze(-1),
  },
  expand_repeat: {
    inputs: { m: { shape: [3, 1], seed: 3 } },
    py: 'torch.cat([m.expand(3, 4), m.repeat(1, 4)], 1)',
    ts: ({ m }) => cat([m.expand(3, 4), m.repeat(1, 4)], 1),
  },
  cat_stack: {
    inputs: { a: A, b: B },
    py: 'torch.stack([torch.cat([a, b], 2)[:, :, :4], b])',
    ts: ({ a, b }) => stack([cat([a, b], 2).slice(2, 0, 4), b]),
  },
  split_chunk: {
    inputs: { a: A },
    py: 'torch.cat([a.split([1, 3], 2)[1], a.chunk(2, 2)[0]], 2)',
    ts: ({ a }) => cat([a.split([1, 3], 2)[1], a.chunk(2, 2)[0]], 2),
  },
  narrow_slice_select: {
    inputs: { a: A },
    py: 'torch.cat([a.narrow(2, 1, 2), a[:, :, ::2], a.select(2, 3).unsqueeze(2)], 2)',
    ts: ({ a }) => cat([a.narrow(2, 1, 2), a.slice(2, undefined, undefined, 2), a.select(2, 3).unsqueeze(2)], 2),
  },
  index_select_gather: {
    inputs: {
      a: A,
      i: { shape: [2], values: [2, 0], dtype: 'int64' },
      g: { shape: [2, 3, 2], values: [0, 3, 1, 1, 2, 0, 3, 3, 0, 1, 2, 2], dtype: 'int64' },
    },
    py: 'torch.cat([a.index_select(2, i), a.gather(2, g)], 2)',
    ts: ({ a, i, g }) => cat([a.indexSelect(2, i), a.gather(2, g)], 2),
  },
  scatter: {
    inputs: {
      z: { shape: [2, 5], values: Array(10).fill(0) },
      i: { shape: [2, 2], values: [1, 4, 0, 2], dtype: 'int64' },
      s: { shape: [2, 2], seed: 3 },
    },
    py: 'z.scatter(1, i, s) + z.scatter_add(1, i, s)',
    ts: ({ z, i, s }) => z.scatter(1, i, s).add(z.scatterAdd(1, i, s)),
  },
  advanced_index: {
    inputs: { a: A, i: { shape: [2], values: [1, 0], dtype: 'int64' } },
    py: 'a[i]',
    ts: ({ a, i }) => a.index([i]),
  },
  pad_flip_roll: {
    inputs: { m: M },
    py: "torch.cat([F.pad(m, (1, 2, 0, 1), value=0.5).flatten(), F.pad(m.unsqueeze(0), (1, 1), mode='reflect').flatten(), m.flip([0, 1]).flatten(), m.roll(1, 1).flatten()])",
    ts: ({ m }) =>
      cat([
        F.pad(m, [1, 2, 0, 1], 'constant', 0.5).flatten(),
        F.pad(m.unsqueeze(0), [1, 1], 'reflect').flatten(),
        m.flip([0, 1]).flatten(),
        m.roll(1, 1).flatten(),
      ]),
  },
  tril_triu_masked: {
    inputs: { m: M },
    py: 'm.tril() + m.triu(1) * 2 + m.masked_fill(m > 0, 9.0)',
    ts: ({ m }) =>
      m
        .tril()
        .add(m.triu(1).mul(2))
        .add(m.maskedFill(m.gt(0), 9)),
  },
  // convolutions
  conv1d: {
    inputs: { x: { shape: [2, 3, 10], seed: 11 }, w: { shape: [4, 3, 3], seed: 12 }, b: { shape: [4], seed: 13 } },
    py: 'F.conv1d(x, w, b, stride=2, padding=1)',
    ts: ({ x, w, b }) => F.conv1d(x, w, b, { stride: 2, padding: 1 }),
  },
  conv2d: {
    inputs: { x: IMG, w: { shape: [4, 3, 3, 3], seed: 12 }, b: { shape: [4], seed: 13 } },
    py: 'F.conv2d(x, w, b, padding=2, dilation=2)',
    ts: ({ x, w, b }) => F.conv2d(x, w, b, { padding: 2, dilation: 2 }),
  },
  conv2d_groups: {
    inputs: { x: { shape: [1, 4, 5, 5], seed: 5 }, w: { shape: [6, 2, 3, 3], seed: 12 } },
    py: 'F.conv2d(x, w, groups=2, stride=2)',
    ts: ({ x, w }) => F.conv2d(x, w, undefined, { groups: 2, stride: 2 }),
  },
  conv3d: {
    inputs: { x: VOL, w: { shape: [3, 2, 3, 3, 3], seed: 12 } },
    py: 'F.conv3d(x, w, padding=1)',
    ts: ({ x, w }) => F.conv3d(x, w, undefined, { padding: 1 }),
  },
  conv_transpose2d: {
    inputs: { x: IMG, w: { shape: [3, 2, 2, 2], seed: 12 }, b: { shape: [2], seed: 13 } },
    py: 'F.conv_transpose2d(x, w, b, stride=2)',
    ts: ({ x, w, b }) => F.convTranspose2d(x, w, b, { stride: 2 }),
  },
  conv_transpose3d: {
    inputs: { x: VOL, w: { shape: [2, 2, 3, 3, 3], seed: 12 } },
    py: 'F.conv_transpose3d(x, w, stride=2, padding=1, output_padding=1)',
    ts: ({ x, w }) => F.convTranspose3d(x, w, undefined, { stride: 2, padding: 1, outputPadding: 1 }),
  },
  // normalisation
  batch_norm_train: {
    inputs: { x: IMG, w: { shape: [3], seed: 2 }, b: { shape: [3], seed: 3 } },
    py: 'F.batch_norm(x, None, None, w, b, training=True)',
    ts: ({ x, w, b }) => F.batchNorm(x, { weight: w, bias: b, training: true }),
  },
  batch_norm_eval: {
    inputs: { x: IMG, rm: { shape: [3], seed: 2 }, rv: { shape: [3], values: [0.5, 1.5, 2] } },
    py: 'F.batch_norm(x, rm, rv, training=False)',
    ts: ({ x, rm, rv }) => F.batchNorm(x, { runningMean: rm, runningVar: rv, training: false }),
  },
  layer_norm: {
    inputs: { x: IMG, w: { shape: [6], seed: 2 } },
    py: 'F.layer_norm(x, [6], w)',
    ts: ({ x, w }) => F.layerNorm(x, [6], w),
  },
  group_norm: {
    inputs: { x: { shape: [2, 4, 3, 3], seed: 5 } },
    py: 'F.group_norm(x, 2)',
    ts: ({ x }) => F.groupNorm(x, 2),
  },
  instance_norm: { inputs: { x: IMG }, py: 'F.instance_norm(x)', ts: ({ x }) => F.instanceNorm(x) },
  // pooling
  max_avg_pool2d: {
    inputs: { x: IMG },
    py: 'torch.cat([F.max_pool2d(x, 3, 2, 1), F.avg_pool2d(x, 3, 2, 1)])',
    ts: ({ x }) => cat([F.maxPool2d(x, 3, { stride: 2, padding: 1 }), F.avgPool2d(x, 3, { stride: 2, padding: 1 })]),
  },
  pool3d: {
    inputs: { x: VOL },
    py: 'torch.cat([F.max_pool3d(x, 2), F.avg_pool3d(x, 2)])',
    ts: ({ x }) => cat([F.maxPool3d(x, 2), F.avgPool3d(x, 2)]),
  },
  adaptive_pools: {
    inputs: { x: IMG },
    py: 'torch.cat([F.adaptive_avg_pool2d(x, (2, 3)), F.adaptive_max_pool2d(x, (2, 3))])',
    ts: ({ x }) => cat([F.adaptiveAvgPool2d(x, [2, 3]), F.adaptiveMaxPool2d(x, [2, 3])]),
  },
  adaptive_pool3d_1d: {
    inputs: { x: VOL, s: { shape: [2, 3, 7], seed: 3 } },
    py: 'torch.cat([F.adaptive_avg_pool3d(x, 1).flatten(), F.adaptive_avg_pool1d(s, 2).flatten(), F.max_pool1d(s, 2).flatten()])',
    ts: ({ x, s }) =>
      cat([F.adaptiveAvgPool3d(x, 1).flatten(), F.adaptiveAvgPool1d(s, 2).flatten(), F.maxPool1d(s, 2).flatten()]),
  },
  // resampling
  interpolate_bilinear: {
    inputs: { x: IMG },
    py: "torch.cat([F.interpolate(x, size=(9, 7), mode='bilinear', align_corners=False).flatten(), F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=True).flatten()])",
    ts: ({ x }) =>
      cat([
        F.interpolate(x, { size: [9, 7], mode: 'bilinear' }).flatten(),
        F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }).flatten(),
      ]),
  },
  interpolate_nearest_trilinear: {
    inputs: { x: IMG, v: VOL },
    py: "torch.cat([F.interpolate(x, scale_factor=2, mode='nearest').flatten(), F.interpolate(v, size=(5, 6, 7), mode='trilinear').flatten()])",
    ts: ({ x, v }) =>
      cat([
        F.interpolate(x, { scaleFactor: 2 }).flatten(),
        F.interpolate(v, { size: [5, 6, 7], mode: 'trilinear' }).flatten(),
      ]),
  },
  affine_grid_sample: {
    inputs: { x: IMG, theta: { shape: [2, 2, 3], values: [0.9, -0.2, 0.1, 0.3, 1.1, -0.05, 1, 0, 0, 0, 1, 0] } },
    py: "F.grid_sample(x, F.affine_grid(theta, [2, 3, 5, 5], align_corners=False), mode='bilinear', padding_mode='border', align_corners=False)",
    ts: ({ x, theta }) => F.gridSample(x, F.affineGrid(theta, [2, 3, 5, 5]), { paddingMode: 'border' }),
  },
  grid_sample_nearest_zeros: {
    inputs: { x: IMG, g: { shape: [2, 4, 4, 2], seed: 8 } },
    py: "F.grid_sample(x, g * 1.2, mode='nearest', padding_mode='zeros', align_corners=True)",
    ts: ({ x, g }) => F.gridSample(x, g.mul(1.2), { mode: 'nearest', alignCorners: true }),
  },
  // softmax family
  softmax: {
    inputs: { a: A },
    py: 'torch.stack([a.softmax(1), a.log_softmax(2)])',
    ts: ({ a }) => stack([a.softmax(1), a.logSoftmax(2)]),
  },
  // lookup and one-hot
  embedding_onehot: {
    inputs: { w: { shape: [5, 3], seed: 2 }, i: { shape: [2, 2], values: [4, 0, 2, 2], dtype: 'int64' } },
    py: 'torch.cat([F.embedding(i, w).flatten(), F.one_hot(i, 5).float().flatten()])',
    ts: ({ w, i }) => cat([F.embedding(w, i).flatten(), F.oneHot(i, 5).float().flatten()]),
  },
  // losses
  cross_entropy: {
    inputs: {
      l: { shape: [4, 3], seed: 2 },
      y: { shape: [4], values: [0, 2, 1, 2], dtype: 'int64' },
      w: { shape: [3], values: [1, 2, 0.5] },
    },
    py: 'torch.stack([F.cross_entropy(l, y), F.cross_entropy(l, y, weight=w), F.cross_entropy(l, y, ignore_index=2), F.cross_entropy(l, y, label_smoothing=0.1)])',
    ts: ({ l, y, w }) =>
      stack([
        F.crossEntropy(l, y),
        F.crossEntropy(l, y, { weight: w }),
        F.crossEntropy(l, y, { ignoreIndex: 2 }),
        F.crossEntropy(l, y, { labelSmoothing: 0.1 }),
      ]),
  },
  cross_entropy_2d: {
    inputs: {
      l: { shape: [2, 3, 4, 4], seed: 2 },
      y: { shape: [2, 4, 4], values: Array.from({ length: 32 }, (_, i) => (i * 7) % 3), dtype: 'int64' },
    },
    py: "F.cross_entropy(l, y, reduction='none')",
    ts: ({ l, y }) => F.crossEntropy(l, y, { reduction: 'none' }),
  },
  bce_logits: {
    inputs: {
      l: { shape: [4, 2], seed: 2 },
      t: { shape: [4, 2], values: [1, 0, 0, 1, 1, 1, 0, 0] },
      pw: { shape: [2], values: [3, 0.5] },
    },
    py: "torch.stack([F.binary_cross_entropy_with_logits(l, t), F.binary_cross_entropy_with_logits(l, t, pos_weight=pw, reduction='sum')])",
    ts: ({ l, t, pw }) =>
      stack([
        F.binaryCrossEntropyWithLogits(l, t),
        F.binaryCrossEntropyWithLogits(l, t, { posWeight: pw, reduction: 'sum' }),
      ]),
  },
  nll_regression_losses: {
    inputs: { l: { shape: [4, 3], seed: 2 }, y: { shape: [4], values: [0, 2, 1, 2], dtype: 'int64' }, a: A, b: B },
    py: 'torch.stack([F.nll_loss(l.log_softmax(1), y), F.mse_loss(a, b), F.l1_loss(a, b), F.smooth_l1_loss(a, b, beta=0.5)])',
    ts: ({ l, y, a, b }) =>
      stack([F.nllLoss(l.logSoftmax(1), y), F.mseLoss(a, b), F.l1Loss(a, b), F.smoothL1Loss(a, b, 'mean', 0.5)]),
  },
  // attention
  scaled_dot_product_attention: {
    inputs: { q: { shape: [2, 3, 4], seed: 1 }, k: { shape: [2, 5, 4], seed: 2 }, v: { shape: [2, 5, 6], seed: 3 } },
    py: 'torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(4), -1) @ v',
    ts: ({ q, k, v }) => F.scaledDotProductAttention(q, k, v).output,
  },
  attention_masked: {
    inputs: { q: { shape: [1, 3, 4], seed: 1 }, k: { shape: [1, 3, 4], seed: 2 }, v: { shape: [1, 3, 2], seed: 3 } },
    py: "s = q @ k.transpose(-2, -1) / 2\ns = s.masked_fill(torch.ones(3, 3).tril() == 0, float('-inf'))\nresult = torch.softmax(s, -1) @ v",
    ts: ({ q, k, v }) => F.scaledDotProductAttention(q, k, v, { mask: ones([3, 3]).tril().gt(0) }).output,
  },
  // creation
  creation: {
    inputs: {},
    py: 'torch.cat([torch.zeros(2), torch.ones(2), torch.full((2,), 3.5), torch.arange(0, 1, 0.25), torch.linspace(-1, 1, 5), torch.eye(2).flatten()])',
    ts: () => cat([zeros([2]), ones([2]), full([2], 3.5), arange(0, 1, 0.25), linspace(-1, 1, 5), eye(2).flatten()]),
  },
  where_fn: { inputs: { a: A, b: B }, py: 'torch.where(a > 0, a, b)', ts: ({ a, b }) => where(a.gt(0), a, b) },
  dtype_casts: {
    inputs: { a: A },
    py: 'torch.cat([a.double().flatten(), (a * 10).long().double().flatten(), a.bfloat16().double().flatten(), (a > 0).double().flatten()])',
    ts: ({ a }) =>
      cat([
        a.to('float64').flatten(),
        a.mul(10).to('int64').to('float64').flatten(),
        a.to('bfloat16').to('float64').flatten(),
        a.gt(0).to('float64').flatten(),
      ]),
  },
};

const reference = torchReference(
  Object.fromEntries(Object.entries(cases).map(([k, c]) => [k, { inputs: c.inputs, py: c.py }])),
);

for (const [name, c] of Object.entries(cases)) {
  test(`${name} matches PyTorch`, () => {
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, s]) => [k, makeInput(s)]));
    const ours = c.ts(inputs);
    const ref = reference[name];
    if (Array.isArray(ours))
      ours.forEach((o, i) => assertMatchesTorch(o, ref[i], { label: name, atol: c.atol ?? 2e-5, rtol: 2e-5 }));
    else assertMatchesTorch(ours, ref, { label: name, atol: c.atol ?? 2e-5, rtol: 2e-5 });
  });
}

test('every case has a reference', () => {
  assert.deepEqual(Object.keys(reference).sort(), Object.keys(cases).sort());
});

test('the generic aten() call reaches any operator', () => {
  const x = tensor([1, 4, 9]);
  assert.deepEqual(aten('sqrt', x).toList(), [1, 2, 3]);
});
