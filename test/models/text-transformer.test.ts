// text_transformer's light shape (depth 0: additive attention straight over the embeddings, what
// configs/mtsamples.json ships) and its word dropout (tokenDropout), checked against exact expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, tensor } from '../../src/tensor/index.js';
import { createTextModel } from '../../src/models/text/text-models.js';
import { ModelConfigError } from '../../src/models/model-error.js';

const ids = () => tensor(BigInt64Array.from([5, 9, 3, 7, 0, 8, 2, 0, 0, 0].map(BigInt)), { shape: [2, 5] });

test('depth 0: no encoder block, token attention sums to 1 over real tokens, no rollout', () => {
  manualSeed(1);
  const m = createTextModel('text_transformer', { vocabSize: 12, numClasses: 3, dim: 8, depth: 0, numHeads: 1 });
  m.eval();
  const { output, attention } = noGrad(() => m.forwardWithAttention(ids()));
  assert.deepEqual(output.shape, [2, 3]);
  assert.deepEqual([...attention.keys()], ['tokens']);
  const w = attention.get('tokens')!.toFloat32Array();
  assert.ok(Math.abs(w.slice(0, 5).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.ok(Math.abs(w[5] + w[6] - 1) < 1e-6);
  assert.deepEqual([w[4], w[7], w[8], w[9]], [0, 0, 0, 0]);
  m.dispose();
});

test('tokenDropout: no effect in eval; in training every dropped token leaves the attention, the first never', () => {
  manualSeed(2);
  const config = { vocabSize: 12, numClasses: 3, dim: 8, depth: 0, numHeads: 1, dropout: 0 };
  const plain = createTextModel('text_transformer', config);
  const dropping = createTextModel('text_transformer', { ...config, tokenDropout: 0.999 });
  dropping.loadStateDict(plain.stateDict());
  plain.eval();
  dropping.eval();
  const a = noGrad(() => plain.forward(ids())).toFloat32Array();
  const b = noGrad(() => dropping.forward(ids())).toFloat32Array();
  assert.deepEqual(b, a);
  // Training, p = 0.999: (almost surely) only each note's first token is left, so the output is the
  // eval-mode output of the first tokens alone (dropout 0 makes training and eval otherwise equal).
  dropping.train();
  const { output, attention } = noGrad(() => dropping.forwardWithAttention(ids()));
  const w = attention.get('tokens')!.toFloat32Array();
  assert.deepEqual(Array.from(w), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  const first = tensor(BigInt64Array.from([5n, 8n]), { shape: [2, 1] });
  const want = noGrad(() => plain.forward(first)).toFloat32Array();
  output.toFloat32Array().forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `logit ${i}: ${v} vs ${want[i]}`));
  plain.dispose();
  dropping.dispose();
});

test('bad sizes and rates are one-line ModelConfigErrors', () => {
  assert.throws(
    () => createTextModel('text_transformer', { tokenDropout: 1 }),
    (e: unknown) => e instanceof ModelConfigError && /option 'tokenDropout' must be in \[0, 1\), got 1/.test(e.message),
  );
  assert.throws(
    () => createTextModel('text_transformer', { depth: -1 }),
    (e: unknown) => e instanceof ModelConfigError && /'depth' must be an integer from 0/.test(e.message),
  );
  assert.throws(() => createTextModel('text_transformer', { dim: 0 }), ModelConfigError);
});
