/**
 * What a clinical table's columns are: numeric or categorical (detected from the cells, or declared), each
 * categorical column's vocabulary, and the label's classes. A trained model keeps this schema in its config, so
 * evaluation files and single patients are read with exactly the vocabulary and class order it was trained on.
 */

export interface TableColumn {
  name: string;
  type: 'numeric' | 'categorical';
  /** Categorical only: the values in code order (code i = categories[i]). */
  categories?: string[];
}

export interface TableSchema {
  columns: TableColumn[];
  /** Class names by label index; binary tables list the negative class first. */
  classNames: string[];
}

/** Cells that mean "not measured" unless the spec's `missing` says otherwise. */
export const DEFAULT_MISSING = ['', 'NA', 'N/A', 'NaN', 'nan', '?', 'null', 'NULL'];

/** A finite number written as decimal text (not '', not 'Infinity', not '0x1f'). */
export function parseNumber(cell: string): number | undefined {
  const t = cell.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * A column is numeric when every present cell is a number; categorical when declared, or when most of its
 * present cells are text. A column that is mostly numbers with a few text cells is numeric with bad cells
 * (returned in `badCells`), since a silent switch to categories would hide a typo.
 */
export function detectColumn(
  name: string,
  cells: string[],
  declared: 'numeric' | 'categorical' | undefined,
): { column: TableColumn; badCells: number[] } {
  const present = cells.map((c, i) => ({ c: c.trim(), i })).filter((x) => x.c !== '');
  const nonNumeric = present.filter((x) => parseNumber(x.c) === undefined);
  const categorical = declared === 'categorical' || (declared === undefined && nonNumeric.length * 2 > present.length);
  if (categorical) {
    const values = [...new Set(present.map((x) => x.c))];
    const numbers = values.every((v) => parseNumber(v) !== undefined);
    values.sort(numbers ? (a, b) => Number(a) - Number(b) : undefined);
    return { column: { name, type: 'categorical', categories: values }, badCells: [] };
  }
  return { column: { name, type: 'numeric' }, badCells: nonNumeric.map((x) => x.i) };
}

/**
 * Class names from the label cells: sorted (numerically when all are numbers). With `positive`, binary
 * [rest, positive] (the rest joined by '|'); otherwise a two-valued label puts the larger value second (the
 * positive class of AUROC, sensitivity, ...).
 */
export function labelClasses(values: string[], positive: string | undefined): string[] {
  const distinct = [...new Set(values)];
  const numbers = distinct.every((v) => parseNumber(v) !== undefined);
  distinct.sort(numbers ? (a, b) => Number(a) - Number(b) : undefined);
  if (positive === undefined) return distinct;
  return [distinct.filter((v) => v !== positive).join('|'), positive];
}
