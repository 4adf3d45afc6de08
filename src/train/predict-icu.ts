/**
 * `medattn predict` for an ICU run (icu_rnn, icu_transformer, or a fusion of ICU inputs with a series or summary
 * one): PhysioNet 2012 records (`RECORDID.txt`), each given the class probabilities, the decision at the run's
 * threshold, the variables and (with a series input) hours the model attended to most (with the variable's last
 * value in the window, in the record's units), and with `out` a heat map of its attention over hours x variables,
 * or a bar chart of its attention over variables (`<record id>-attention.png`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MedattnDataError } from '../data/io/errors.js';
import { icuGrid, ICU_HOURS } from '../data/icu/icu-grid.js';
import { parseIcuRecord, type IcuRecord } from '../data/icu/physionet2012-record.js';
import { ICU_SERIES } from '../data/icu/physionet2012-variables.js';
import { icuAttention, icuHeatmapSvg, topVariableBars } from '../explain/icu-attention.js';
import { svgToPng } from './report/charts.js';
import { barChartSvg } from './report/feature-weights.js';
import type { LoadedRun } from './run-folder.js';

export interface IcuVariableContribution {
  variable: string;
  /** The variable's share of the attention, summed over hours. */
  weight: number;
  /** Its last value in the 48 h window as recorded (undefined: never measured). */
  lastValue?: number;
  observations: number;
}

export interface IcuPrediction {
  file: string;
  record: string;
  probabilities: Record<string, number>;
  predicted: string;
  threshold?: number;
  /** Variables by attention, largest first. */
  topVariables: IcuVariableContribution[];
  /** Time bins by attention, largest first: `from`-`to` hours since admission (a model reading the series). */
  topHours?: { from: number; to: number; weight: number }[];
  /** A fusion model's weight of each input (series, static, ...) for this patient (the rest went to its "none" token). */
  modalities?: Record<string, number>;
  heatmap?: string;
}

/** The time bins the run's data used (the physionet2012 spec's `hours`, 48 by default). */
export function runIcuHours(run: LoadedRun): number {
  const spec = (run.config.data as { train?: { hours?: number } }).train;
  return spec?.hours ?? ICU_HOURS;
}

function readRecord(file: string): IcuRecord {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MedattnDataError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseIcuRecord(text, file);
}

export async function predictIcuRecords(
  run: LoadedRun,
  files: string[],
  options: { threshold?: number; out?: string; top?: number } = {},
): Promise<IcuPrediction[]> {
  const hours = runIcuHours(run);
  const records = files.map(readRecord);
  const grids = records.map((r) => icuGrid(r, hours));
  const {
    probabilities,
    variables,
    hoursVariables,
    hours: hourWeights,
    modalities,
  } = icuAttention(run.model, grids, hours);
  const classNames = run.classNames?.length ? run.classNames : ['survived', 'died'];
  const threshold = options.threshold ?? run.threshold ?? 0.5;
  const V = ICU_SERIES.length;
  const binHours = 48 / hours;
  if (options.out) mkdirSync(options.out, { recursive: true });
  const out: IcuPrediction[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const probs = probabilities[i];
    const best = probs.length === 2 ? (probs[1] >= threshold ? 1 : 0) : probs.indexOf(Math.max(...probs));
    const byVariable = variables[i];
    const last = new Map<number, number>();
    const count = new Uint32Array(V);
    for (let k = 0; k < record.values.length; k++) {
      last.set(record.variables[k], record.values[k]); // file order is time order
      count[record.variables[k]]++;
    }
    const topVariables = [...byVariable.keys()]
      .sort((a, b) => byVariable[b] - byVariable[a])
      .slice(0, options.top ?? 5)
      .map((v) => ({
        variable: ICU_SERIES[v],
        weight: +byVariable[v].toFixed(6),
        ...(last.has(v) ? { lastValue: +last.get(v)!.toPrecision(6) } : {}), // as written, not float32 noise
        observations: count[v],
      }));
    const byHour = hourWeights?.[i];
    const topHours = byHour
      ? [...byHour.keys()]
          .sort((a, b) => byHour[b] - byHour[a])
          .slice(0, 3)
          .map((h) => ({ from: h * binHours, to: (h + 1) * binHours, weight: +byHour[h].toFixed(6) }))
      : undefined;
    let heatmap: string | undefined;
    if (options.out) {
      const observed = grids[i].subarray((hours + 1) * V, (hours + 1) * V + hours * V);
      const title = `record ${record.id}: p(${classNames[1] ?? '1'}) = ${probs[probs.length - 1].toFixed(3)}`;
      heatmap = join(options.out, `${record.id}-attention.png`);
      await svgToPng(
        hoursVariables
          ? icuHeatmapSvg(title, hoursVariables[i], observed, hours)
          : barChartSvg(title, topVariableBars(byVariable)),
        heatmap,
      );
    }
    out.push({
      file: files[i],
      record: record.id,
      probabilities: Object.fromEntries(Array.from(probs, (v, c) => [classNames[c] ?? String(c), +v.toFixed(6)])),
      predicted: classNames[best] ?? String(best),
      ...(probs.length === 2 ? { threshold } : {}),
      topVariables,
      ...(topHours ? { topHours } : {}),
      ...(modalities
        ? {
            modalities: Object.fromEntries(
              modalities.names.map((name, m) => [name, +modalities.weights[i][m].toFixed(6)]),
            ),
          }
        : {}),
      ...(heatmap ? { heatmap } : {}),
    });
  }
  return out;
}

/** Plain-text lines for one record: the decision, the top variables as bars, the top hours. */
export function formatIcuPrediction(p: IcuPrediction): string {
  const probs = Object.entries(p.probabilities)
    .map(([k, v]) => `p(${k})=${v.toFixed(4)}`)
    .join(' ');
  const lines = [
    `${p.file}\t${p.record}\t${p.predicted}\t${probs}${p.threshold !== undefined ? `\tthreshold ${p.threshold.toFixed(3)}` : ''}`,
  ];
  for (const v of p.topVariables)
    lines.push(
      `  ${v.variable.padEnd(11)} ${(v.lastValue === undefined ? 'not measured' : `last ${v.lastValue} (${v.observations}x)`).padEnd(24)} ${v.weight.toFixed(3)}  ${'█'.repeat(Math.round(v.weight * 40))}`,
    );
  if (p.topHours)
    lines.push(`  hours: ${p.topHours.map((h) => `${h.from}-${h.to} h (${h.weight.toFixed(3)})`).join(', ')}`);
  if (p.modalities)
    lines.push(
      `  inputs: ${Object.entries(p.modalities)
        .map(([k, w]) => `${k} ${w.toFixed(3)}`)
        .join(', ')}`,
    );
  if (p.heatmap) lines.push(`  heat map: ${p.heatmap}`);
  return lines.join('\n');
}
