/**
 * `medattn predict` for a table model: patients from a CSV (one per row, a header naming the columns) or a
 * JSON file (one patient object, or an array of them), each given the class probabilities and the features
 * that drove its prediction (the model's per-patient feature weights) with the values as written.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { MedattnDataError } from '../data/io/errors.js';
import { parseCsv } from '../data/datasets/csv-table.js';
import { DEFAULT_MISSING, encodePatient, unsplit, type TableSchema } from '../data/datasets/index.js';
import { FEATURE_WEIGHTS, type TableClassifier } from '../models/tabular/table-classifier.js';
import { noGrad, tensor, tidy } from '../tensor/index.js';
import type { LoadedRun } from './run-folder.js';

export interface FeatureContribution {
  feature: string;
  /** The value as the patient's file gave it ('' when missing). */
  value: string;
  missing: boolean;
  /** The feature's share of the model's attention for this patient (weights sum to 1 over features). */
  weight: number;
}

export interface PatientPrediction {
  file: string;
  /** The patient's id column, else `row N` / `patient N`. */
  patient: string;
  probabilities: Record<string, number>;
  predicted: string;
  threshold?: number;
  /** Features by weight, largest first (`top` of them). */
  top: FeatureContribution[];
  /** Every feature's weight, in column order. */
  weights: Record<string, number>;
}

type Patient = { id: string; cells: (column: string) => string | undefined; where: (column: string) => string };

/** Patients of one file; values are kept as text (JSON numbers written back as they were given). */
export function readPatients(file: string): Patient[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MedattnDataError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (extname(file).toLowerCase() === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new MedattnDataError(file, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.map((p, i) => {
      if (typeof p !== 'object' || p === null || Array.isArray(p))
        throw new MedattnDataError(file, `patient ${i + 1}: expected an object of column: value`);
      const record = p as Record<string, unknown>;
      const cell = (c: string) => {
        const v = record[c];
        if (v === undefined || v === null) return undefined;
        if (typeof v === 'object')
          throw new MedattnDataError(file, `patient ${i + 1}: '${c}' must be a number or text`);
        return String(v);
      };
      return {
        id: typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : `patient ${i + 1}`,
        cells: cell,
        where: (c) => `patient ${i + 1}, '${c}'`,
      };
    });
  }
  const { header, rows } = parseCsv(text, file);
  return rows.map((r) => {
    const id = header.indexOf('id');
    return {
      id: id >= 0 ? r.cells[id] : `row ${r.line - 1}`,
      cells: (c: string) => {
        const j = header.indexOf(c);
        return j < 0 ? undefined : r.cells[j];
      },
      where: (c) => `line ${r.line}, column ${header.indexOf(c) + 1} ('${c}')`,
    };
  });
}

/** The missing-value markers the run's table was read with. */
function runMissing(run: LoadedRun): string[] {
  const spec = unsplit(run.config.data.train);
  return spec.kind === 'table' && spec.missing ? spec.missing : DEFAULT_MISSING;
}

/** Class probabilities and feature weights of one encoded patient [2, F] (another engine: ONNX Runtime). */
export type TableInfer = (x: Float32Array, features: number) => Promise<{ probs: Float32Array; weights: Float32Array }>;

export async function predictPatients(
  run: LoadedRun,
  files: string[],
  options: { threshold?: number; top?: number; infer?: TableInfer } = {},
): Promise<PatientPrediction[]> {
  const model = run.model as TableClassifier;
  const schema: TableSchema = { columns: model.config.columns, classNames: run.classNames ?? [] };
  const names = schema.columns.map((c) => c.name);
  const classNames = schema.classNames.length ? schema.classNames : ['0', '1'];
  const threshold = options.threshold ?? run.threshold ?? 0.5;
  const missing = runMissing(run);
  const out: PatientPrediction[] = [];
  for (const file of files) {
    for (const p of readPatients(file)) {
      let x: Float32Array;
      try {
        x = encodePatient(p.cells, schema, missing, p.where);
      } catch (e) {
        throw new MedattnDataError(file, (e as Error).message);
      }
      const { probs, weights } = options.infer
        ? await options.infer(x, names.length)
        : tidy(() =>
            noGrad(() => {
              const { output, attention } = model.forwardWithAttention(tensor(x, { shape: [1, 2, names.length] }));
              return {
                probs: output.softmax(1).toArray() as Float32Array,
                weights: attention.get(FEATURE_WEIGHTS)!.toArray() as Float32Array,
              };
            }),
          );
      const best = probs.length === 2 ? (probs[1] >= threshold ? 1 : 0) : probs.indexOf(Math.max(...probs));
      const contributions = names.map((feature, j) => ({
        feature,
        value: (p.cells(feature) ?? '').trim(),
        missing: x[names.length + j] > 0.5,
        weight: +weights[j].toFixed(6),
      }));
      out.push({
        file,
        patient: p.id,
        probabilities: Object.fromEntries(Array.from(probs, (v, i) => [classNames[i] ?? String(i), +v.toFixed(6)])),
        predicted: classNames[best] ?? String(best),
        ...(probs.length === 2 ? { threshold } : {}),
        top: [...contributions].sort((a, b) => b.weight - a.weight).slice(0, options.top ?? 5),
        weights: Object.fromEntries(contributions.map((c) => [c.feature, c.weight])),
      });
    }
  }
  return out;
}

/** Plain-text lines for one patient: the decision, then a bar per top feature. */
export function formatPatient(p: PatientPrediction): string {
  const probs = Object.entries(p.probabilities)
    .map(([k, v]) => `p(${k})=${v.toFixed(4)}`)
    .join(' ');
  const lines = [
    `${p.file}\t${p.patient}\t${p.predicted}\t${probs}${p.threshold !== undefined ? `\tthreshold ${p.threshold.toFixed(3)}` : ''}`,
  ];
  const width = Math.max(...p.top.map((c) => c.feature.length));
  for (const c of p.top)
    lines.push(
      `  ${c.feature.padEnd(width)}  ${(c.missing ? `missing${c.value ? ` (${c.value})` : ''}` : c.value).padEnd(12)}  ${c.weight.toFixed(3)}  ${'█'.repeat(Math.round(c.weight * 40))}`,
    );
  return lines.join('\n');
}
