// Optimizers, clipping and schedules against torch.optim on the same model, data and steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, manualSeed, tensor, tidy } from '../../src/tensor/index.js';
import { Linear, Sequential, Tanh } from '../../src/nn/index.js';
import {
  Adam,
  AdamW,
  clipGradNorm,
  CosineWarmupLR,
  MultiStepLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type Optimizer,
} from '../../src/optim/index.js';
import { assertAllClose, detValues, torchReference } from '../helpers/torch-reference.js';

const STEPS = 6;
const X = { shape: [8, 3], seed: 21 };
const Y = { shape: [8, 2], seed: 22 };

const optimizers: Record<string, { ts: (p: Iterable<any>) => Optimizer; py: string; clip?: number }> = {
  sgd: { ts: (p) => new SGD(p, { lr: 0.1 }), py: 'torch.optim.SGD(m.parameters(), lr=0.1)' },
  sgd_momentum_wd: {
    ts: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 0.01, dampening: 0.1 }),
    py: 'torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01, dampening=0.1)',
  },
  sgd_nesterov: {
    ts: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
    py: 'torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True)',
  },
  adam: { ts: (p) => new Adam(p, { lr: 0.01 }), py: 'torch.optim.Adam(m.parameters(), lr=0.01)' },
  adam_wd: {
    ts: (p) => new Adam(p, { lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.99], eps: 1e-6 }),
    py: 'torch.optim.Adam(m.parameters(), lr=0.01, weight_decay=0.1, betas=(0.8, 0.99), eps=1e-6)',
  },
  adamw: {
    ts: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 }),
    py: 'torch.optim.AdamW(m.parameters(), lr=0.01, weight_decay=0.1)',
  },
  adam_clipped: { ts: (p) => new Adam(p, { lr: 0.01 }), py: 'torch.optim.Adam(m.parameters(), lr=0.01)', clip: 0.05 },
};

const build = () => new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2));

const reference = torchReference(
  Object.fromEntries(
    Object.entries(optimizers).map(([name, o]) => [
      name,
      {
        inputs: { x: X, y: Y },
        py: `torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
opt = ${o.py}
norms = []
for _ in range(${STEPS}):
    opt.zero_grad()
    F.mse_loss(m(x), y).backward()
    ${o.clip ? `norms.append(float(torch.nn.utils.clip_grad_norm_(m.parameters(), ${o.clip})))` : 'pass'}
    opt.step()
result = [v for v in m.state_dict().values()] + [torch.tensor(norms + [0.0], dtype=torch.float64)]`,
      },
    ]),
  ),
);

for (const [name, o] of Object.entries(optimizers)) {
  test(`${name}: ${STEPS} steps land on the same weights as torch.optim`, () => {
    manualSeed(0);
    const m = build();
    const opt = o.ts(m.parameters());
    const x = tensor(detValues(24, 21), { shape: X.shape });
    const y = tensor(detValues(16, 22), { shape: Y.shape });
    const norms: number[] = [];
    for (let i = 0; i < STEPS; i++)
      tidy(() => {
        opt.zeroGrad();
        F.mseLoss(m.forward(x), y).backward();
        if (o.clip) norms.push(clipGradNorm(m.parameters(), o.clip));
        opt.step();
      });
    const ref = reference[name] as { data: number[] }[];
    [...m.stateDict().values()].forEach((p, i) =>
      assertAllClose(Array.from(p.toArray() as Float32Array), ref[i].data, {
        atol: 2e-6,
        rtol: 1e-5,
        label: `${name} param ${i}`,
      }),
    );
    if (o.clip)
      assertAllClose(norms, ref[ref.length - 1].data.slice(0, STEPS), { atol: 1e-6, rtol: 1e-5, label: 'clip norms' });
  });
}

test('optimizer state round-trips for an exact resume', () => {
  const run = (stepsBefore: number, resume: boolean) => {
    manualSeed(0);
    const m = build();
    let opt = new Adam(m.parameters(), { lr: 0.01 });
    const x = tensor(detValues(24, 21), { shape: X.shape });
    const y = tensor(detValues(16, 22), { shape: Y.shape });
    const step = () =>
      tidy(() => {
        opt.zeroGrad();
        F.mseLoss(m.forward(x), y).backward();
        opt.step();
      });
    for (let i = 0; i < stepsBefore; i++) step();
    if (resume) {
      const saved = opt.stateDict();
      const copies = {
        tensors: new Map([...saved.tensors].map(([k, t]) => [k, t.clone()])),
        scalars: { ...saved.scalars },
      };
      opt.dispose();
      opt = new Adam(m.parameters(), { lr: 0.5 });
      opt.loadStateDict(copies);
    }
    for (let i = 0; i < 3; i++) step();
    return Array.from(m.parameters()[0].toArray() as Float32Array);
  };
  assert.deepEqual(run(3, true), run(3, false));
});

test('bad optimizer options are one-line errors', () => {
  assert.throws(() => new SGD([], { lr: -1 }), /lr must be a positive number, got -1/);
  assert.throws(() => new SGD([], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0/);
});

test('schedules match torch.optim.lr_scheduler step by step', () => {
  const steps = 12;
  const ref = torchReference({
    sched: {
      inputs: {},
      py: `def run(make, metrics=None):
    p = [torch.nn.Parameter(torch.zeros(1))]
    o = torch.optim.SGD(p, lr=1.0)
    s = make(o)
    out = []
    for i in range(${steps}):
        o.step()
        if metrics is None:
            s.step()
        else:
            s.step(metrics[i])
        out.append(o.param_groups[0]['lr'])
    return out
L = torch.optim.lr_scheduler
result = torch.tensor([run(lambda o: L.StepLR(o, 3, 0.5)), run(lambda o: L.MultiStepLR(o, [2, 5, 9], 0.1)),
    run(lambda o: L.PolynomialLR(o, 10, 2.0)),
    run(lambda o: L.ReduceLROnPlateau(o, factor=0.5, patience=2), [1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9])], dtype=torch.float64)`,
    },
  }).sched.data as number[];
  const run = (make: (o: Optimizer) => { step(m?: number): void }, metrics?: number[]) => {
    const o = new SGD([tensor([0], { requiresGrad: true })], { lr: 1 });
    const s = make(o);
    return Array.from({ length: steps }, (_, i) => (s.step(metrics?.[i]), o.lr));
  };
  const ours = [
    ...run((o) => new StepLR(o, 3, 0.5)),
    ...run((o) => new MultiStepLR(o, [2, 5, 9], 0.1)),
    ...run((o) => new PolynomialLR(o, 10, 2)),
    ...run(
      (o) => new ReduceLROnPlateau(o, { factor: 0.5, patience: 2 }),
      [1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9],
    ),
  ];
  assertAllClose(ours, ref, { atol: 1e-12, rtol: 1e-12, label: 'lr' });
});

test('cosine with warm-up: linear ramp, then half-cosine to minLr', () => {
  const o = new SGD([tensor([0], { requiresGrad: true })], { lr: 1 });
  const s = new CosineWarmupLR(o, 10, 2, 0.1);
  const lrs = [o.lr];
  for (let i = 0; i < 10; i++) {
    s.step();
    lrs.push(o.lr);
  }
  // warm-up: (step+1)/(warmup+1); then 0.1 + 0.45 (1 + cos(pi (step-2)/8)).
  const expected = [
    1 / 3,
    2 / 3,
    ...Array.from({ length: 9 }, (_, k) => 0.1 + 0.45 * (1 + Math.cos((Math.PI * k) / 8))),
  ];
  assertAllClose(lrs, expected, { atol: 1e-12, label: 'cosine' });
});
