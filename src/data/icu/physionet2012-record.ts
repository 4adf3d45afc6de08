/**
 * Reader for one PhysioNet/CinC 2012 record (`RECORDID.txt`): a `Time,Parameter,Value` header, then one row per
 * observation, `HH:MM` hours since ICU admission (48:00 at most, the challenge's window). The general
 * descriptors come at 00:00; -1 means "not recorded". A row with an unknown parameter, a garbled time or a
 * non-numeric value is a one-line error naming the file and line.
 */
import { MedattnDataError } from '../io/errors.js';
import { ICU_DESCRIPTORS, ICU_SERIES } from './physionet2012-variables.js';

/** One ICU stay: descriptors (NaN when not recorded) and the observations in file order. */
export interface IcuRecord {
  id: string;
  /** Age, Gender, Height, ICUType, Weight (ICU_DESCRIPTORS order), NaN when -1 or absent. */
  descriptors: Float32Array;
  /** Minutes since admission of each observation. */
  minutes: Float32Array;
  /** Index into ICU_SERIES of each observation. */
  variables: Uint8Array;
  values: Float32Array;
}

const seriesIndex = new Map<string, number>(ICU_SERIES.map((name, i) => [name, i]));
const descriptorIndex = new Map<string, number>(ICU_DESCRIPTORS.map((name, i) => [name, i]));
/** The challenge's window is 48 h; a few records hold a row at exactly 48:00. */
const MAX_MINUTES = 48 * 60;
const TIME = /^(\d{2}):([0-5]\d)$/;

/** Parses the text of `file` (its name, without folder and `.txt`, is the record id unless RecordID says more). */
export function parseIcuRecord(text: string, file: string): IcuRecord {
  const lines = text.split(/\r?\n/);
  if (lines[0].replace(/^\uFEFF/, '').trim() !== 'Time,Parameter,Value')
    throw new MedattnDataError(
      `${file}:1`,
      `expected the header 'Time,Parameter,Value', got '${lines[0].slice(0, 60)}'`,
    );
  const descriptors = new Float32Array(ICU_DESCRIPTORS.length).fill(NaN);
  const minutes: number[] = [];
  const variables: number[] = [];
  const values: number[] = [];
  let id = file.replace(/^.*[\\/]/, '').replace(/\.txt$/i, '');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length !== 3)
      throw new MedattnDataError(where, `expected 3 fields Time,Parameter,Value, got ${cells.length}`);
    const [time, parameter, valueText] = cells;
    const t = TIME.exec(time);
    if (!t) throw new MedattnDataError(where, `garbled time '${time}' (expected HH:MM)`);
    const minute = Number(t[1]) * 60 + Number(t[2]);
    if (minute > MAX_MINUTES) throw new MedattnDataError(where, `time ${time} is past the 48-hour window`);
    const value = Number(valueText);
    if (valueText.trim() === '' || !Number.isFinite(value))
      throw new MedattnDataError(where, `value '${valueText}' of ${parameter} is not a number`);
    if (parameter === 'RecordID') {
      id = String(value);
      continue;
    }
    const d = descriptorIndex.get(parameter);
    // Weight at 00:00 is the admission descriptor; every later Weight row is a series observation.
    if (d !== undefined && minute === 0 && (parameter !== 'Weight' || Number.isNaN(descriptors[d]))) {
      descriptors[d] = value === -1 ? NaN : value;
      continue;
    }
    const v = seriesIndex.get(parameter);
    if (v === undefined) {
      if (d !== undefined) continue; // a descriptor repeated later in the stay: the 00:00 value is the one kept
      throw new MedattnDataError(where, `unknown parameter '${parameter.slice(0, 40)}'`);
    }
    if (value === -1) continue; // not recorded
    minutes.push(minute);
    variables.push(v);
    values.push(value);
  }
  return {
    id,
    descriptors,
    minutes: Float32Array.from(minutes),
    variables: Uint8Array.from(variables),
    values: Float32Array.from(values),
  };
}
