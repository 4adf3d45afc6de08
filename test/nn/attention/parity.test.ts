// Same weights, same outputs as the PyTorch reference implementations (torch.nn.MultiheadAttention and the
// twins in bench/peer/reference_models.py). Tolerance: 1e-5 absolute on O(1) outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad, tidy } from '../../../src/tensor/index.js';
import {
  AttentionGate,
  CBAM,
  ECA,
  MultiHeadAttention,
  SCSE,
  SqueezeExcitation,
  type Module,
} from '../../../src/nn/index.js';
import { maxAbsDiff, torchCases, type TorchCase } from '../../models/torch-parity.js';

let cases: Record<string, TorchCase> | undefined;
const torchCase = (name: string) =>
  (cases ??= torchCases(['se', 'cbam', 'eca', 'scse', 'attention_gate', 'mha']))[name];

const TOL = 1e-5;

function single(name: string, build: () => Module, run: (m: Module, inputs: Record<string, any>) => any) {
  test(`${name} matches PyTorch`, (t) => {
    const ref = torchCase(name);
    tidy(() =>
      noGrad(() => {
        const m = build().eval();
        assert.equal(m.numParameters(), ref.parameters, 'parameter count');
        m.loadStateDict(ref.state);
        const d = maxAbsDiff(run(m, ref.inputs), ref.outputs.y);
        t.diagnostic(`max abs diff ${d.toExponential(2)}`);
        assert.ok(d < TOL, `max abs diff ${d}`);
      }),
    );
  });
}

single(
  'se',
  () => new SqueezeExcitation(16, { reduction: 4 }),
  (m, i) => m.forward(i.x),
);
single(
  'cbam',
  () => new CBAM(16, { reduction: 4, kernelSize: 7 }),
  (m, i) => m.forward(i.x),
);
single(
  'eca',
  () => new ECA(64),
  (m, i) => m.forward(i.x),
);
single(
  'scse',
  () => new SCSE(16, { reduction: 4 }),
  (m, i) => m.forward(i.x),
);
single(
  'attention_gate',
  () => new AttentionGate(8, { gatingChannels: 16, innerChannels: 4 }),
  (m, i) => m.forward(i.x, i.g),
);

test('multi-head attention matches torch.nn.MultiheadAttention (self with causal mask, cross with key padding)', (t) => {
  const ref = torchCase('mha');
  tidy(() =>
    noGrad(() => {
      const m = new MultiHeadAttention(16, { numHeads: 4 }).eval();
      assert.equal(m.numParameters(), ref.parameters);
      m.loadStateDict(ref.state);
      const { x, kv, kpm, causal } = ref.inputs;
      const self = m.forward(x, x, x, { attnMask: causal.gt(0.5), needWeights: true });
      const cross = m.forward(x, kv, kv, { keyPaddingMask: kpm.gt(0.5), needWeights: true, averageWeights: false });
      const diffs = {
        y_self: maxAbsDiff(self.output, ref.outputs.y_self),
        w_self: maxAbsDiff(self.weights!, ref.outputs.w_self),
        y_cross: maxAbsDiff(cross.output, ref.outputs.y_cross),
        w_cross: maxAbsDiff(cross.weights!, ref.outputs.w_cross),
      };
      t.diagnostic(JSON.stringify(diffs));
      for (const [k, d] of Object.entries(diffs)) assert.ok(d < TOL, `${k}: max abs diff ${d}`);
    }),
  );
});
