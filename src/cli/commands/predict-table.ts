/** `medattn predict --run DIR patients.csv|patient.json` for a table model: probabilities and top features. */
import { loadRun } from '../../train/run-folder.js';
import { formatPatient, predictPatients } from '../../train/predict-table.js';
import { ConfigError } from '../../train/config-error.js';
import { readRunModelJson } from '../../train/run-model-json.js';
import { OnnxModel, onnxFileOf, onnxTableInfer, resolveEngine } from '../../runtime/index.js';

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
  const engine = resolveEngine(o.run, o.engine);
  const run = loadRun(o.run);
  // ONNX Runtime gives the probabilities and the feature weights from the exported model's outputs
  const onnx = engine === 'torch' ? undefined : await OnnxModel.load(onnxFileOf(o.run, engine));
  const results = await predictPatients(run, files, {
    threshold: o.threshold,
    ...(onnx ? { infer: onnxTableInfer(onnx) } : {}),
  }).finally(() => onnx?.release());
  if (o.json) console.log(JSON.stringify(results));
  else for (const r of results) console.log(formatPatient(r));
}
