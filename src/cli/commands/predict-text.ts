/**
 * `medattn predict --run DIR --text "note"` (or text files as arguments) on a text run: the label, its
 * probability and the tokens with the most attention. --json prints one object per note.
 */
import { readFileSync } from 'node:fs';
import { MedattnDataError } from '../../data/io/errors.js';
import { loadTextRun } from '../../train/tasks/text.js';
import { explainNotes, topK, wordsOf } from '../../train/tasks/text-explain.js';
import { UsageError } from '../user-error.js';
import { explainNotesOnnx, OnnxModel, onnxFileOf, resolveEngine } from '../../runtime/index.js';

/** Reads a note file as UTF-8; other bytes or an empty note are one-line errors. */
function readNote(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new MedattnDataError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MedattnDataError(file, 'not UTF-8 text');
  }
  return text;
}

export async function predictTextCommand(
  files: string[],
  o: { run: string; text?: string; json?: boolean; top?: number; engine?: string },
): Promise<void> {
  const notes: { source: string; text: string }[] = files.map((f) => ({ source: f, text: readNote(f) }));
  if (o.text !== undefined) notes.unshift({ source: '--text', text: o.text });
  if (!notes.length) throw new UsageError('predict: give --text "note" or note files for a text run');
  for (const n of notes) if (!n.text.trim()) throw new MedattnDataError(n.source, 'empty note');
  const run = loadTextRun(o.run);
  const encoded = await run.tokenizer.encode(
    notes.map((n) => n.text),
    run.maxTokens,
  );
  const engine = resolveEngine(o.run, o.engine);
  let explained;
  if (engine === 'torch') explained = explainNotes(run.model, encoded);
  else {
    // the exported model's probabilities and token attention outputs
    const onnx = await OnnxModel.load(onnxFileOf(o.run, engine));
    explained = await explainNotesOnnx(onnx, encoded).finally(() => onnx.release());
  }
  const results = explained.map((e, i) => {
    const words = wordsOf(e.tokens, e.weights.tokens);
    const top = topK(
      words.map((w) => w.weight),
      o.top ?? 10,
    ).map((j) => ({ token: words[j].word, weight: words[j].weight }));
    return {
      source: notes[i].source,
      label: run.classNames[e.predicted],
      probability: e.probs[e.predicted],
      probabilities: Object.fromEntries(run.classNames.map((c, k) => [c, e.probs[k]])),
      topTokens: top,
      truncated: encoded[i].truncated
        ? `cut to the first and last ${run.maxTokens / 2} of ${encoded[i].fullLength} tokens`
        : false,
    };
  });
  if (o.json) {
    console.log(JSON.stringify(results));
    return;
  }
  for (const r of results) {
    console.log(
      `${r.source}\t${r.label}\t${r.probability.toFixed(4)}\t${r.topTokens.map((t) => `${t.token}(${t.weight.toFixed(3)})`).join(' ')}`,
    );
    if (r.truncated) process.stderr.write(`${r.source}: note ${r.truncated}\n`);
  }
}
