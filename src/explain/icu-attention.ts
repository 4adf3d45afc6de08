/**
 * Where an ICU model looked: its attention over variables for each patient and, where it reads the series, over
 * hours x variables (icu_rnn: attention over hours times attention over variables within each hour;
 * icu_transformer: [CLS] attention over the observed cells; icu_summary: [CLS] attention over the per-variable
 * summaries, no hours), with the probability of the positive class, and the heat map a clinician reads it from.
 */
import { ICU_SERIES } from '../data/icu/physionet2012-variables.js';
import type { AttentionModel } from '../models/attention-model.js';
import { noGrad, tensor, tidy } from '../tensor/index.js';

/** The model names whose forwardWithAttention returns `hours_variables` and `hours` maps. */
export const ICU_SERIES_MODELS: ReadonlySet<string> = new Set(['icu_rnn', 'icu_transformer']);
/** Fusion encoders that attend over the ICU variables: the series ones (hours x variables) and icu_summary. */
const VARIABLE_ENCODERS: ReadonlySet<string> = new Set(['icu_series_rnn', 'icu_series_transformer', 'icu_summary']);

/**
 * Whether a model (its name and config, as in model.json) reads ICU grids and attends over the variables:
 * an ICU series model, or a fusion whose inputs all read the grid (icu_*) and one of them attends over the
 * variables (its maps come as '<input>.hours_variables' or '<input>.variables').
 */
export function isIcuModel(name: string, config?: unknown): boolean {
  if (ICU_SERIES_MODELS.has(name)) return true;
  if (name !== 'fusion') return false;
  const encoders = ((config as { inputs?: { encoder?: string }[] } | undefined)?.inputs ?? []).map((i) => i.encoder);
  return encoders.every((e) => e?.startsWith('icu_')) && encoders.some((e) => VARIABLE_ENCODERS.has(e ?? ''));
}

/** The map `name`, or a fusion input's '<input>.name' (the first such input's). */
function mapKey(maps: Map<string, unknown>, name: string): string | undefined {
  return maps.has(name) ? name : [...maps.keys()].find((k) => k.endsWith(`.${name}`));
}

export interface IcuAttention {
  /** Class probabilities, one row per patient. */
  probabilities: Float32Array[];
  /** [V] per patient in ICU_SERIES order: each variable's share of the attention; sums to 1. */
  variables: Float32Array[];
  /** [H * V] per patient, hour-major; sums to 1. Absent when no input reads the series hour by hour. */
  hoursVariables?: Float32Array[];
  /** [H] per patient: the hour's share (row sums of hoursVariables). Absent with hoursVariables. */
  hours?: Float32Array[];
  /** A fusion model's weight of each input per patient, by input name (the rest went to its "none" token). */
  modalities?: { names: string[]; weights: Float32Array[] };
}

/**
 * Runs the model (eval mode, no gradients) on packed grids [3, H + 1, V] (icu-grid.ts), `batch` at a time.
 * A series input's hours x variables map is preferred; a model with none gives the summaries' variable weights.
 */
export function icuAttention(model: AttentionModel, grids: Float32Array[], hours: number, batch = 64): IcuAttention {
  const V = ICU_SERIES.length;
  const out: IcuAttention = { probabilities: [], variables: [] };
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < grids.length; start += batch) {
      const part = grids.slice(start, start + batch);
      const data = new Float32Array(part.length * part[0].length);
      part.forEach((g, i) => data.set(g, i * g.length));
      tidy(() =>
        noGrad(() => {
          const { output, attention } = model.forwardWithAttention(
            tensor(data, { shape: [part.length, 3, hours + 1, V] }),
          );
          const probs = output.softmax(1).toFloat32Array();
          const seriesKey = mapKey(attention, 'hours_variables');
          const hv = seriesKey ? attention.get(seriesKey)!.toFloat32Array() : undefined;
          const h = seriesKey ? attention.get(mapKey(attention, 'hours')!)!.toFloat32Array() : undefined;
          const variables = hv ? undefined : attention.get(mapKey(attention, 'variables')!)!.toFloat32Array();
          const modalities = attention.get('modalities')?.toFloat32Array();
          if (modalities) {
            const names = (model.config as { inputs: { name: string }[] }).inputs.map((i) => i.name);
            out.modalities ??= { names, weights: [] };
            for (let i = 0; i < part.length; i++)
              out.modalities.weights.push(modalities.slice(i * names.length, (i + 1) * names.length));
          }
          const classes = probs.length / part.length;
          for (let i = 0; i < part.length; i++) {
            out.probabilities.push(probs.slice(i * classes, (i + 1) * classes));
            if (hv && h) {
              const patient = hv.slice(i * hours * V, (i + 1) * hours * V);
              (out.hoursVariables ??= []).push(patient);
              (out.hours ??= []).push(h.slice(i * hours, (i + 1) * hours));
              out.variables.push(variableWeights(patient, hours));
            } else out.variables.push(variables!.slice(i * V, (i + 1) * V));
          }
        }),
      );
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** Each variable's share of the attention (summed over hours), in ICU_SERIES order. */
export function variableWeights(hoursVariables: Float32Array, hours: number): Float32Array {
  const V = ICU_SERIES.length;
  const out = new Float32Array(V);
  for (let h = 0; h < hours; h++) for (let v = 0; v < V; v++) out[v] += hoursVariables[h * V + v];
  return out;
}

/** The 15 most attended variables, largest first, as bars. */
export function topVariableBars(byVariable: Float32Array, count = 15): { label: string; value: number }[] {
  return [...byVariable.keys()]
    .map((v) => ({ label: ICU_SERIES[v], value: byVariable[v] }))
    .sort((a, b) => b.value - a.value)
    .slice(0, count);
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Heat map SVG of one patient's attention: a row per variable (the `rows` most attended, most attended first),
 * a column per time bin, white -> red by weight (scaled to the patient's largest cell), a dot where the variable
 * was measured in that bin.
 */
export function icuHeatmapSvg(
  title: string,
  hoursVariables: Float32Array,
  observed: Float32Array,
  hours: number,
  rows = 12,
): string {
  const V = ICU_SERIES.length;
  const byVariable = variableWeights(hoursVariables, hours);
  const shown = [...byVariable.keys()].sort((a, b) => byVariable[b] - byVariable[a]).slice(0, rows);
  const max = Math.max(1e-12, ...hoursVariables);
  const cell = Math.max(8, Math.floor(480 / hours));
  const left = 96;
  const top = 34;
  const width = left + hours * cell + 70;
  const height = top + shown.length * 16 + 30;
  const rowH = 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="12" font-weight="bold">${escape(title)}</text>`,
  ];
  shown.forEach((v, r) => {
    const y = top + r * rowH;
    parts.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${ICU_SERIES[v]}</text>`);
    for (let h = 0; h < hours; h++) {
      const w = hoursVariables[h * V + v] / max;
      const shade = Math.round(255 * (1 - w));
      const x = left + h * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${rowH}" fill="rgb(255,${shade},${shade})" stroke="#eee" stroke-width="0.5"/>`,
      );
      if (observed[h * V + v] > 0.5)
        parts.push(`<circle cx="${x + cell / 2}" cy="${y + rowH / 2}" r="1.6" fill="#1f3b73"/>`);
    }
    parts.push(
      `<text x="${left + hours * cell + 6}" y="${y + 12}" font-size="10">${(100 * byVariable[v]).toFixed(1)}%</text>`,
    );
  });
  const axisY = top + shown.length * rowH + 14;
  const binHours = 48 / hours;
  for (let h = 0; h <= hours; h += Math.max(1, Math.round(6 / binHours))) {
    parts.push(`<text x="${left + h * cell}" y="${axisY}" text-anchor="middle" font-size="10">${h * binHours}</text>`);
  }
  parts.push(
    `<text x="${left + (hours * cell) / 2}" y="${axisY + 13}" text-anchor="middle" font-size="10">hours since ICU admission (dots: measured)</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
