// Faithfulness of the attention weights on a real table (WDBC, 569 patients): after training, masking every
// validation patient's top-3 attended features as missing moves the predicted probability more, on average, than
// masking 3 random features (10 draws per patient). Measured (2026-11-27): feature_attention 0.0260 vs 0.0211
// (top-3 larger for 59% of patients) -- asserted; ft_transformer's head- and layer-averaged [CLS] attention
// 0.0226 vs 0.0357 (33.6%) -- NOT faithful by this test, so only its accuracy is asserted and the figures printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskingFaithfulness, permutationImportance } from '../../src/explain/index.js';
import type { TableClassifier } from '../../src/models/tabular/table-classifier.js';
import { loadConfig } from '../../src/train/config.js';
import { train } from '../../src/train/trainer.js';
import { dataPath, needsData } from '../helpers/shared-data.js';

for (const [name, faithful] of [
  ['feature_attention', true],
  ['ft_transformer', false],
] as const) {
  test(
    `${name} on WDBC: masking top-3 attended vs 3 random features${faithful ? ' (faithful)' : ' (measured only)'}`,
    needsData('tabular', 'wdbc.csv'),
    async () => {
      const config = loadConfig('configs/tabular.json', [
        `data.file=${dataPath('tabular', 'wdbc.csv')}`,
        'data.label=target',
        `model.name=${name}`,
        'training.epochs=15',
      ]);
      const result = await train(config, { outDir: mkdtempSync(join(tmpdir(), `medattn-faith-${name}-`)) });
      const model = result.model as TableClassifier;
      const rows = [];
      for (let i = 0; i < result.valSet.length; i++) rows.push((await result.valSet.get(i)).image.data as Float32Array);
      const f = maskingFaithfulness(model, rows, { k: 3, draws: 10, seed: 0 });
      console.log(
        `${name}: |dp| top-3 ${f.topK.toFixed(4)} vs random ${f.random.toFixed(4)}; top-3 larger for ${(100 * f.fractionTopKLarger).toFixed(1)}%`,
      );
      if (faithful) assert.ok(f.topK > f.random, `top-3 ${f.topK} vs random ${f.random}`);
      const p = permutationImportance(model, rows, result.valSet.labels()!, { repeats: 3 });
      assert.ok(p.baseline > 0.95, `validation AUROC ${p.baseline}`);
      model.dispose();
    },
  );
}
