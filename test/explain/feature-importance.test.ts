// Feature importance of table models: masking writes the missing encoding, a constant feature has exactly zero
// permutation importance, the baseline AUROC is the model's own, and the faithfulness summary is consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskFeatures, maskingFaithfulness, permutationImportance, predictRows } from '../../src/explain/index.js';
import { binaryAuroc } from '../../src/metrics/index.js';
import { createModel } from '../../src/models/index.js';
import type { TableClassifier } from '../../src/models/tabular/table-classifier.js';
import { manualSeed } from '../../src/tensor/index.js';

const columns = [
  { name: 'a', type: 'numeric' as const },
  { name: 'constant', type: 'numeric' as const },
  { name: 'c', type: 'categorical' as const, categories: ['x', 'y', 'z'] },
];

test('maskFeatures marks the chosen features missing with value 0', () => {
  assert.deepEqual(Array.from(maskFeatures(Float32Array.from([1.5, 2, 1, 0, 0, 0]), [0, 2])), [0, 2, 0, 1, 0, 1]);
});

test('permutation importance: zero for a constant feature, baseline = the AUROC of the predictions', () => {
  manualSeed(3);
  const model = createModel('feature_attention', { columns, dim: 8 }) as TableClassifier;
  const rows = Array.from({ length: 40 }, (_, i) => Float32Array.from([i / 10, 7, i % 3, 0, 0, i % 7 === 0 ? 1 : 0]));
  const labels = rows.map((_, i) => (i % 2 === 0 ? 1 : 0));
  model.fitInputs(rows);
  const p = permutationImportance(model, rows, labels, { repeats: 3, seed: 1 });
  assert.equal(p.importance[1], 0);
  assert.equal(p.std[1], 0);
  assert.equal(p.baseline, binaryAuroc(predictRows(model, rows).probability, labels));
  const f = maskingFaithfulness(model, rows, { k: 1, draws: 4 });
  assert.equal(f.k, 1);
  assert.ok(f.topK >= 0 && f.random >= 0 && f.fractionTopKLarger >= 0 && f.fractionTopKLarger <= 1);
  const w = predictRows(model, rows).weights;
  for (let i = 0; i < rows.length; i++) assert.ok(Math.abs(w[3 * i] + w[3 * i + 1] + w[3 * i + 2] - 1) < 1e-5);
  model.dispose();
});
