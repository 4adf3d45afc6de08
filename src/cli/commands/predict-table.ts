/** `medattn predict --run DIR patients.csv|patient.json` for a table model: probabilities and top features. */
import { loadRun } from '../../train/run-folder.js';
import { formatPatient, predictPatients } from '../../train/predict-table.js';
import { ConfigError } from '../../train/config-error.js';
import { readRunModelJson } from '../../train/run-model-json.js';

const TABLE_MODELS = new Set(['ft_transformer', 'feature_attention']);

/** Whether the run folder holds a table model (read from model.json without loading weights). */
export function isTableRun(dir: string): boolean {
  return TABLE_MODELS.has(readRunModelJson(dir)?.model ?? '');
}

export async function predictTableCommand(
  files: string[],
  o: { run: string; json?: boolean; threshold?: number; maps?: boolean; engine?: string },
): Promise<void> {
  if (!files.length) throw new ConfigError('predict', 'FILE', 'give at least one patient file (.csv or .json)');
  if (o.maps)
    throw new ConfigError('command line', '--maps', 'is for images; a table model prints its feature weights');
  if (o.engine !== undefined && o.engine !== 'torch')
    throw new ConfigError('command line', '--engine', 'table models predict with torch');
  const run = loadRun(o.run);
  const results = predictPatients(run, files, { threshold: o.threshold });
  if (o.json) console.log(JSON.stringify(results));
  else for (const r of results) console.log(formatPatient(r));
}
