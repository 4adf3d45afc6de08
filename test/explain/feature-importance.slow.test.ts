// Faithfulness of the attention weights on a real table (WDBC, 569 patients): after training each attention
// model, masking every validation patient's top-3 attended features as missing moves the malignancy probability
// more, on average, than masking 3 random features (10 draws per patient).
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

for (const name of ['feature_attention', 'ft_transformer']) {
  test(
    `${name} on WDBC: top-3 attended features move predictions more than 3 random ones`,
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
      assert.ok(f.topK > f.random, `top-3 ${f.topK} vs random ${f.random}`);
      const p = permutationImportance(model, rows, result.valSet.labels()!, { repeats: 3 });
      assert.ok(p.baseline > 0.95, `validation AUROC ${p.baseline}`);
      model.dispose();
    },
  );
}
