/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF; a UTF-8 BOM is
 * dropped. Small enough to write here rather than pull in a parser for one manifest format.
 */
import { MedattnDataError } from '../io/errors.js';

export interface CsvTable {
  header: string[];
  /** Data rows, each with its 1-based line number in the file (for error messages). */
  rows: Array<{ line: number; cells: string[] }>;
}

export function parseCsv(
  text: string,
  file: string,
  /** Keep rows whose field count differs from the header's (the caller reports or skips them). */
  options: { allowRagged?: boolean } = {},
): CsvTable {
  const records: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(field);
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells }); // skip blank lines
    cells = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      cells.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (quoted) throw new MedattnDataError(file, `line ${recordLine}: unterminated quoted field`);
  if (field !== '' || cells.length > 0) endRecord();
  if (records.length === 0) throw new MedattnDataError(file, 'empty CSV file (expected a header row)');
  const header = records[0].cells.map((h) => h.trim());
  const rows = records.slice(1);
  for (const r of rows) {
    if (!options.allowRagged && r.cells.length !== header.length) {
      throw new MedattnDataError(file, `line ${r.line}: ${r.cells.length} fields, the header has ${header.length}`);
    }
  }
  return { header, rows };
}
