/**
 * An ICU record as the models' input: an hourly grid that keeps the irregular sampling explicit (GRU-D's
 * inputs, Che et al. 2018), packed as one channels-first array [3, H + 1, V] so every loader, batcher and
 * trainer that moves images moves it unchanged:
 *
 *   channel 0, rows 0..H-1  standardised value, the mean of the hour's observations, carried forward (0 = the
 *                           variable's centre before its first observation)
 *   channel 1, rows 0..H-1  1 where the variable was observed in that hour
 *   channel 2, rows 0..H-1  hours since the variable was last observed / H (since admission when never)
 *   row H                   static features (ICU_STATIC_FEATURES): standardised values in channel 0 and
 *                           1 = recorded in channel 1, columns 0..7; everything else 0
 *
 * Values are clipped to ±6 scales: set A holds charting errors (pH 735, a height of 1.8 cm).
 */
import type { IcuRecord } from './physionet2012-record.js';
import {
  ICU_LOG_VARIABLES,
  ICU_SERIES,
  ICU_SERIES_NORMALISATION,
  ICU_STATIC_FEATURES,
  ICU_STATIC_NORMALISATION,
} from './physionet2012-variables.js';

export const ICU_HOURS = 48;
const CLIP = 6;

export interface IcuGridShape {
  hours: number;
  variables: number;
  statics: number;
}

export const icuGridShape = (hours = ICU_HOURS): IcuGridShape => ({
  hours,
  variables: ICU_SERIES.length,
  statics: ICU_STATIC_FEATURES.length,
});

const clip = (v: number) => Math.max(-CLIP, Math.min(CLIP, v));

/** Standardised value of series variable `v` (the grid's scale). */
export function standardiseSeries(v: number, value: number): number {
  const name = ICU_SERIES[v];
  const [centre, scale] = ICU_SERIES_NORMALISATION[name];
  const x = ICU_LOG_VARIABLES.has(name) ? Math.log1p(Math.max(0, value)) : value;
  return clip((x - centre) / scale);
}

/** Static features (standardised) and whether each was recorded, from the descriptors Age, Gender, Height, ICUType, Weight. */
export function icuStatics(record: IcuRecord): { values: Float32Array; mask: Float32Array } {
  const [age, gender, height, icuType, weight] = record.descriptors;
  const raw = [age, gender, height, weight];
  const values = new Float32Array(ICU_STATIC_FEATURES.length);
  const mask = new Float32Array(ICU_STATIC_FEATURES.length);
  raw.forEach((x, i) => {
    if (Number.isNaN(x)) return;
    const [c, s] = ICU_STATIC_NORMALISATION[i];
    values[i] = clip((x - c) / s);
    mask[i] = 1;
  });
  if (icuType >= 1 && icuType <= 4) {
    values[3 + icuType] = 1;
    for (let k = 4; k < 8; k++) mask[k] = 1;
  }
  return { values, mask };
}

/** The packed [3, H + 1, V] grid of one record (see the file comment); H bins of 48 / H hours each. */
export function icuGrid(record: IcuRecord, hours = ICU_HOURS): Float32Array {
  const V = ICU_SERIES.length;
  const plane = (hours + 1) * V;
  const out = new Float32Array(3 * plane);
  const sum = new Float32Array(hours * V);
  const count = new Uint16Array(hours * V);
  for (let i = 0; i < record.values.length; i++) {
    const h = Math.min(hours - 1, Math.floor((record.minutes[i] * hours) / (48 * 60)));
    const v = record.variables[i];
    sum[h * V + v] += standardiseSeries(v, record.values[i]);
    count[h * V + v]++;
  }
  for (let v = 0; v < V; v++) {
    let last = 0;
    let lastHour = -1;
    for (let h = 0; h < hours; h++) {
      const c = count[h * V + v];
      if (c > 0) {
        last = sum[h * V + v] / c;
        lastHour = h;
        out[plane + h * V + v] = 1;
      }
      out[h * V + v] = last;
      out[2 * plane + h * V + v] = (h - lastHour) / hours;
    }
  }
  const { values, mask } = icuStatics(record);
  out.set(values, hours * V);
  out.set(mask, plane + hours * V);
  return out;
}
