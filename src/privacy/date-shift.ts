/**
 * Shifting DICOM dates (DA: YYYYMMDD) and date-times (DT: YYYYMMDD[HHMMSS[.F]][&ZZXX]) by whole days, so
 * intervals within a patient survive de-identification (PS3.15 E.3.6, the Modified Dates option). A value in
 * any other form (a bare year, ACR-NEMA's YYYY.MM.DD) cannot be shifted safely and becomes empty.
 */

function shiftYmd(ymd: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(ymd);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const time = Date.UTC(y, mo - 1, d);
  const check = new Date(time);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  const shifted = new Date(time + days * 86_400_000);
  const year = shifted.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  return `${String(year).padStart(4, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${String(shifted.getUTCDate()).padStart(2, '0')}`;
}

/** Each value of a (possibly multi-valued) DA or DT string shifted; '' when any value has an unknown form. */
export function shiftDates(text: string, vr: 'DA' | 'DT', days: number): string {
  const values = text.replace(/[\0 ]+$/, '').split('\\');
  const out: string[] = [];
  for (const value of values) {
    const v = value.trim();
    if (v === '') {
      out.push('');
      continue;
    }
    const shifted = vr === 'DA' ? shiftYmd(v, days) : shiftDateTime(v, days);
    if (shifted === undefined) return '';
    out.push(shifted);
  }
  return out.join('\\');
}

function shiftDateTime(value: string, days: number): string | undefined {
  if (value.length < 8) return undefined;
  const date = shiftYmd(value.slice(0, 8), days);
  return date === undefined ? undefined : date + value.slice(8);
}
