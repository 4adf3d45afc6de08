/**
 * The report section of a table model: global importance (mean attention weight over validation patients, and
 * permutation importance), the masking-faithfulness check of the attention weights, and per-patient bar charts
 * of feature weights with each feature's value.
 */
import { join } from 'node:path';
import type { Dataset } from '../../data/datasets/index.js';
import { maskingFaithfulness, permutationImportance, predictRows } from '../../explain/feature-importance.js';
import type { TableClassifier } from '../../models/tabular/table-classifier.js';
import { escapeHtml, html, joinHtml, type SafeHtml } from './html.js';
import { svgSize, svgToPng } from './charts.js';
import { pngImg } from './image-table.js';

const esc = escapeHtml;

/** Horizontal bars, largest first: one per item, its value printed at the bar's end. */
export function barChartSvg(
  title: string,
  items: { label: string; value: number; note?: string }[],
  options: { width?: number; colour?: string } = {},
): string {
  const width = options.width ?? 520;
  const row = 20;
  const labelWidth = 12 + 7 * Math.min(28, Math.max(4, ...items.map((i) => i.label.length)));
  const max = Math.max(1e-12, ...items.map((i) => Math.abs(i.value)));
  const barSpace = width - labelWidth - 70;
  const height = 34 + items.length * row + 8;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  items.forEach((it, i) => {
    const y = 30 + i * row;
    const w = Math.max(0, (it.value / max) * barSpace);
    const label = it.label.length > 28 ? `${it.label.slice(0, 27)}…` : it.label;
    parts.push(`<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${esc(label)}</text>`);
    parts.push(
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${options.colour ?? '#3b6fb6'}"/>`,
    );
    parts.push(
      `<text x="${labelWidth + w + 4}" y="${y + 13}" font-size="11">${esc(it.value.toFixed(3))}${it.note ? ` ${esc(it.note)}` : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The SVG written as `outDir/file` (PNG) and its <img> at the SVG's size. */
export async function chart(svg: string, outDir: string, file: string, alt: string): Promise<SafeHtml> {
  const png = await svgToPng(svg, join(outDir, file));
  const { width, height } = svgSize(svg);
  return pngImg(png, width, height, alt);
}

function valueText(row: Float32Array, j: number, model: TableClassifier): string {
  const f = row.length / 2;
  if (row[f + j] > 0.5) return 'missing';
  const c = model.config.columns[j];
  return c.type === 'categorical' ? (c.categories?.[Math.round(row[j])] ?? '?') : String(+row[j].toPrecision(6));
}

export async function featureWeightsSection(
  model: TableClassifier,
  valSet: Dataset,
  outDir: string,
  patients = 6,
): Promise<SafeHtml> {
  const rows: Float32Array[] = [];
  for (let i = 0; i < valSet.length; i++) rows.push((await valSet.get(i)).image.data as Float32Array);
  const labels = valSet.labels() ?? new Int32Array(rows.length);
  const ids = valSet.ids();
  const names = model.config.columns.map((c) => c.name);
  const f = names.length;
  const { probability, weights } = predictRows(model, rows);
  const mean = names.map((_, j) => rows.reduce((a, _r, i) => a + weights[i * f + j], 0) / rows.length);
  const byMean = names.map((label, j) => ({ label, value: mean[j] })).sort((a, b) => b.value - a.value);
  const perm = permutationImportance(model, rows, labels, { repeats: 5, seed: 0 });
  const byPerm = names
    .map((label, j) => ({ label, value: perm.importance[j], note: `± ${perm.std[j].toFixed(3)}` }))
    .sort((a, b) => b.value - a.value);
  const k = Math.min(3, f - 1);
  const faith = k >= 1 ? maskingFaithfulness(model, rows, { k, draws: 5, seed: 0 }) : undefined;

  const cells: SafeHtml[] = [];
  const className = valSet.classNames?.[model.config.numClasses - 1] ?? 'positive class';
  // Patients spread over the classes (alternating), in file order within a class.
  const order = [...rows.keys()].sort((a, b) => labels[a] - labels[b]);
  const picked: number[] = [];
  const classes = [...new Set(labels)];
  for (let i = 0; picked.length < Math.min(patients, rows.length); i++) {
    const c = classes[i % classes.length];
    const next = order.find((r) => labels[r] === c && !picked.includes(r));
    if (next !== undefined) picked.push(next);
    if (i > rows.length * 2) break;
  }
  for (const i of picked) {
    const items = names
      .map((label, j) => ({ label: `${label} = ${valueText(rows[i], j, model)}`, value: weights[i * f + j] }))
      .sort((a, b) => b.value - a.value)
      .slice(0, 8);
    cells.push(
      await chart(
        barChartSvg(
          `${ids[i]}: p(${className}) = ${probability[i].toFixed(3)}, true ${valSet.classNames?.[labels[i]] ?? labels[i]}`,
          items,
          {
            width: 420,
            colour: '#c0504d',
          },
        ),
        outDir,
        `feature-weights-${picked.indexOf(i) + 1}.png`,
        `feature weights of ${ids[i]}`,
      ),
    );
  }
  return html`<h2 id="features">Which features drove the predictions</h2>
    <p>
      Feature weights are the model's attention over feature tokens for each patient (FT-Transformer: the [CLS] token's
      attention to each feature, averaged over heads and layers; feature attention: its softmax pooling weights); they
      sum to 1 per patient. Left: their mean over the ${rows.length} validation patients. Right: permutation importance,
      the drop in validation AUROC (baseline ${perm.baseline.toFixed(3)}) when a feature is shuffled across patients
      (mean ± sd of 5 shuffles), a model-agnostic check of the same question.
    </p>
    ${await chart(barChartSvg('Mean attention weight (validation)', byMean), outDir, 'feature-importance.png', 'mean feature weights')}
    ${await chart(barChartSvg('Permutation importance (AUROC drop)', byPerm, { colour: '#6a8f3a' }), outDir, 'permutation-importance.png', 'permutation importance')}
    ${
      faith
        ? html`<p>
            Faithfulness: marking each patient's ${faith.k} most-attended features as missing moves the ${className}
            probability by ${faith.topK.toFixed(4)} on average, against ${faith.random.toFixed(4)} for ${faith.k}
            features drawn at random (5 draws per patient); the top-${faith.k} move it more for
            ${(100 * faith.fractionTopKLarger).toFixed(1)}% of patients.
          </p>`
        : ''
    }
    <p>Per-patient weights (top 8 features, with the patient's values), validation patients of each class:</p>
    ${joinHtml(cells, '\n')}`;
}
