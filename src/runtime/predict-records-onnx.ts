/**
 * `medattn predict` through ONNX Runtime for runs whose input is not an image: a table patient ([1, 2, F] ->
 * probabilities and the feature weights output) and a note (token ids [1, T] -> probabilities and every
 * `attention/<map>` output), shaped as the libtorch paths give them (TableInfer, NoteExplanation).
 */
import { UNK_ID, type EncodedText } from '../data/text/text-tokenizer.js';
import { FEATURE_WEIGHTS } from '../models/tabular/table-classifier.js';
import type { TableInfer } from '../train/predict-table.js';
import type { NoteExplanation } from '../train/tasks/text-explain.js';
import { OnnxModel, OnnxModelError } from './onnx-model.js';

function output(onnx: OnnxModel, outputs: Map<string, { data: Float32Array }>, name: string): Float32Array {
  const o = outputs.get(name);
  if (!o) throw new OnnxModelError(`${onnx.path}: no output '${name}' (export the run again with medattn export)`);
  return o.data;
}

/** A table model's forward for predictPatients. */
export function onnxTableInfer(onnx: OnnxModel): TableInfer {
  const weights = `attention/${FEATURE_WEIGHTS}`;
  return async (x, features) => {
    const out = await onnx.run(x, [1, 2, features], ['probabilities', weights]);
    return { probs: output(onnx, out, 'probabilities'), weights: output(onnx, out, weights) };
  };
}

/** explainNotes through ONNX Runtime: one run per note (no padding), every attention output by its map name. */
export async function explainNotesOnnx(onnx: OnnxModel, encoded: EncodedText[]): Promise<NoteExplanation[]> {
  const maps = onnx.outputNames.filter((n) => n.startsWith('attention/'));
  const result: NoteExplanation[] = [];
  for (const e of encoded) {
    const ids = e.ids.length ? BigInt64Array.from(e.ids, (i) => BigInt(i)) : BigInt64Array.of(BigInt(UNK_ID)); // empty: one [UNK], as idsTensor
    const out = await onnx.run(ids, [1, ids.length], ['probabilities', ...maps]);
    const probs = [...output(onnx, out, 'probabilities')];
    const weights: Record<string, number[]> = {};
    for (const m of maps) weights[m.slice('attention/'.length)] = [...output(onnx, out, m)];
    result.push({ probs, predicted: probs.indexOf(Math.max(...probs)), tokens: e.tokens, weights });
  }
  return result;
}
