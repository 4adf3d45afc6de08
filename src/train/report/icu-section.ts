/**
 * The report section of an ICU model: the attention over variables and (reading the series) over hours averaged
 * over the validation patients, and for a few patients (alternating outcomes) the heat map of attention over
 * hours x variables with the measured cells marked, or (a summaries model) the bars of attention over variables.
 */
import type { Dataset } from '../../data/datasets/index.js';
import { ICU_SERIES } from '../../data/icu/physionet2012-variables.js';
import { icuAttention, icuHeatmapSvg, topVariableBars } from '../../explain/icu-attention.js';
import type { AttentionModel } from '../../models/attention-model.js';
import { barChartSvg, chart } from './feature-weights.js';
import { html, joinHtml, type SafeHtml } from './html.js';

export async function icuAttentionSection(
  model: AttentionModel,
  valSet: Dataset,
  outDir: string,
  patients = 4,
): Promise<SafeHtml> {
  const grids: Float32Array[] = [];
  let hours = 0;
  for (let i = 0; i < valSet.length; i++) {
    const { image } = await valSet.get(i);
    grids.push(image.data as Float32Array);
    hours = image.shape[1] - 1;
  }
  const V = ICU_SERIES.length;
  const attention = icuAttention(model, grids, hours);
  const n = grids.length;
  const meanVariables = new Float32Array(V);
  for (let i = 0; i < n; i++) attention.variables[i].forEach((w, v) => (meanVariables[v] += w / n));
  const variablesChart = await chart(
    barChartSvg('Mean attention per variable (validation patients)', topVariableBars(meanVariables)),
    outDir,
    'icu-variables.png',
    'mean attention per variable',
  );
  const hoursChart = attention.hours ? await meanHoursChart(attention.hours, hours, outDir) : undefined;
  // A fusion model: the mean weight of each input (series, static, ...) over the validation patients.
  const modalities = attention.modalities;
  const modalitiesChart = modalities
    ? await chart(
        barChartSvg(
          'Mean weight of each input (validation patients)',
          modalities.names.map((label, m) => ({
            label,
            value: modalities.weights.reduce((sum, w) => sum + w[m], 0) / n,
          })),
          { width: 420 },
        ),
        outDir,
        'icu-inputs.png',
        'mean weight of each input',
      )
    : undefined;
  const labels = valSet.labels() ?? new Int32Array(n);
  const ids = valSet.ids();
  const positive = valSet.classNames?.[1] ?? 'positive';
  const picked: number[] = [];
  for (let i = 0; picked.length < Math.min(patients, n) && i < 2 * n; i++) {
    const wanted = picked.length % 2 === 0 ? 1 : 0; // a positive (died) patient first, then alternating
    const next = [...labels.keys()].find((r) => labels[r] === wanted && !picked.includes(r));
    picked.push(next ?? [...labels.keys()].find((r) => !picked.includes(r))!);
  }
  const maps: SafeHtml[] = [];
  for (const [k, i] of picked.entries()) {
    const observed = grids[i].subarray((hours + 1) * V, (hours + 1) * V + hours * V);
    const p = attention.probabilities[i];
    const title = `${ids[i]}: p(${positive}) = ${p[p.length - 1].toFixed(3)}, true ${valSet.classNames?.[labels[i]] ?? labels[i]}`;
    maps.push(
      await chart(
        attention.hoursVariables
          ? icuHeatmapSvg(title, attention.hoursVariables[i], observed, hours)
          : barChartSvg(title, topVariableBars(attention.variables[i])),
        outDir,
        `icu-heatmap-${k + 1}.png`,
        `attention over ${attention.hoursVariables ? 'hours and ' : ''}variables of ${ids[i]}`,
      ),
    );
  }
  return html`<h2 id="icu-attention">Which hours and variables drove the predictions</h2>
    <p>
      The model's attention over hours × variables for each patient (sums to 1 per patient): attention over time bins
      times attention over variables within each bin for the GRU/LSTM model, the [CLS] token's attention over the
      observed cells for the transformer (a fusion model: its series input's, with the mean weight of each input;
      without a series input, the [CLS] attention over the per-variable summaries, one bar per variable). Means over the
      ${n} validation patients, then patients of both outcomes (rows: the 12 most attended variables; dots: measured in
      that bin; white to red: the patient's largest weight). Attention shows what the model weighted, not a causal
      effect.
    </p>
    <div class="figures">
      <figure>${variablesChart}</figure>
      ${hoursChart ? html`<figure>${hoursChart}</figure>` : html``}
      ${modalitiesChart ? html`<figure>${modalitiesChart}</figure>` : html``}
    </div>
    <div class="figures">
      ${joinHtml(
        maps.map((m) => html`<figure>${m}</figure>`),
        '\n',
      )}
    </div>`;
}

/** The mean attention per time bin over the validation patients. */
async function meanHoursChart(byHour: Float32Array[], hours: number, outDir: string): Promise<SafeHtml> {
  const mean = new Float32Array(hours);
  for (const patient of byHour) patient.forEach((w, h) => (mean[h] += w / byHour.length));
  const binHours = 48 / hours;
  return chart(
    barChartSvg(
      'Mean attention per time bin (hours since admission)',
      [...mean.keys()].map((h) => ({ label: `${h * binHours}-${(h + 1) * binHours} h`, value: mean[h] })),
      { width: 420 },
    ),
    outDir,
    'icu-hours.png',
    'mean attention per time bin',
  );
}
