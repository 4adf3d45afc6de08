/**
 * The PhysioNet/CinC 2012 challenge's parameters (Silva et al. 2012): 5 general descriptors recorded once at
 * 00:00 and 37 time series (Weight is both: its 00:00 row is the admission weight, later rows are a series).
 * Any other parameter name in a record is an error (or a skipped file with skipBad), not silently dropped.
 */

/** Time-series variables, in the order of the grid's variable axis. */
export const ICU_SERIES = [
  'Albumin', 'ALP', 'ALT', 'AST', 'Bilirubin', 'BUN', 'Cholesterol', 'Creatinine', 'DiasABP', 'FiO2', 'GCS',
  'Glucose', 'HCO3', 'HCT', 'HR', 'K', 'Lactate', 'Mg', 'MAP', 'MechVent', 'Na', 'NIDiasABP', 'NIMAP',
  'NISysABP', 'PaCO2', 'PaO2', 'pH', 'Platelets', 'RespRate', 'SaO2', 'SysABP', 'Temp', 'TroponinI',
  'TroponinT', 'Urine', 'WBC', 'Weight',
] as const; // prettier-ignore

/** General descriptors of the 00:00 rows (RecordID is read and checked, not a feature). */
export const ICU_DESCRIPTORS = ['Age', 'Gender', 'Height', 'ICUType', 'Weight'] as const;

/**
 * Static features the models see: ICUType (1 coronary care, 2 cardiac surgery recovery, 3 medical, 4 surgical)
 * one-hot, since its codes are not an ordered quantity.
 */
export const ICU_STATIC_FEATURES = ['Age', 'Gender', 'Height', 'Weight', 'CCU', 'CSRU', 'MICU', 'SICU'] as const;

/**
 * Per-variable centre and scale for standardising values: the median and the interquartile range / 1.349
 * (a normal's std) of all observations of set A, computed once (docs/icu.md) and fixed here, so the
 * same numbers apply to any record a deployed model sees. They use no outcome. Skewed labs are standardised
 * after log1p (`ICU_LOG_VARIABLES`).
 */
export const ICU_SERIES_NORMALISATION: Readonly<Record<(typeof ICU_SERIES)[number], readonly [number, number]>> = {
  Albumin: [2.9, 0.6672],
  ALP: [4.419, 0.5321],
  ALT: [3.784, 1.524],
  AST: [4.174, 1.394],
  Bilirubin: [0.6419, 0.5845],
  BUN: [3.045, 0.6792],
  Cholesterol: [152, 48.18],
  Creatinine: [0.6931, 0.315],
  DiasABP: [58, 11.86],
  FiO2: [0.5, 0.1483],
  GCS: [13, 5.189],
  Glucose: [4.875, 0.3097],
  HCO3: [23, 4.448],
  HCT: [30.2, 4.744],
  HR: [86, 17.79],
  K: [4.1, 0.593],
  Lactate: [1.131, 0.4493],
  Mg: [2, 0.3706],
  MAP: [77, 14.08],
  MechVent: [0, 1], // an indicator: always 1 when charted
  Na: [139, 4.448],
  NIDiasABP: [56, 14.83],
  NIMAP: [75, 14.83],
  NISysABP: [116, 22.98],
  PaCO2: [39, 7.413],
  PaO2: [124, 68.2],
  pH: [7.38, 0.06672],
  Platelets: [5.153, 0.5263],
  RespRate: [19, 5.189],
  SaO2: [97, 1.483],
  SysABP: [116, 22.98],
  Temp: [37.1, 0.8895],
  TroponinI: [1.281, 1.302],
  TroponinT: [0.1823, 0.478],
  Urine: [4.263, 1.012],
  WBC: [2.526, 0.442],
  Weight: [80.7, 21.5],
};
export const ICU_LOG_VARIABLES: ReadonlySet<string> = new Set([
  'ALP', 'ALT', 'AST', 'Bilirubin', 'BUN', 'Creatinine', 'Glucose', 'Lactate', 'Platelets', 'TroponinI',
  'TroponinT', 'Urine', 'WBC',
]); // prettier-ignore

/** Centre and scale of ICU_STATIC_FEATURES (set A's medians and IQR/1.349; one-hots as they are). */
export const ICU_STATIC_NORMALISATION: readonly (readonly [number, number])[] = [
  [67, 18.7], [0.5, 0.5], [170.2, 11.3], [78.4, 19.3], [0, 1], [0, 1], [0, 1], [0, 1],
]; // prettier-ignore
