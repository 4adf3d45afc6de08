/**
 * What a text model attended to, per note: class probabilities, the predicted class, and each token's
 * attention weight ('tokens': the pooling weights; 'rollout' for the transformer). Used by the report's token
 * highlights, `medattn predict --text`, and the faithfulness check (deleting the most attended tokens).
 */
import type { EncodedText } from '../../data/text/text-tokenizer.js';
import type { TextModel } from '../../models/text/text-model.js';
import { noGrad, tidy } from '../../tensor/index.js';
import { idsTensor } from './text.js';

export interface NoteExplanation {
  probs: number[];
  predicted: number;
  tokens: string[];
  /** Attention map name -> one weight per token. */
  weights: Record<string, number[]>;
}

/** One forward pass per note (no padding, so weights are exactly the note's own). */
export function explainNotes(model: TextModel, encoded: EncodedText[]): NoteExplanation[] {
  const wasTraining = model.training;
  model.eval();
  try {
    return encoded.map((e) =>
      tidy(() =>
        noGrad(() => {
          const { output, attention } = model.forwardWithAttention(idsTensor([e]));
          const probs = [...output.softmax(-1).toFloat32Array()];
          const weights: Record<string, number[]> = {};
          for (const [name, map] of attention) weights[name] = [...map.toFloat32Array()];
          return { probs, predicted: probs.indexOf(Math.max(...probs)), tokens: e.tokens, weights };
        }),
      ),
    );
  } finally {
    if (wasTraining) model.train();
  }
}

/** Indices of the k largest weights (ties by position). */
export function topK(weights: number[], k: number): number[] {
  return weights
    .map((w, i) => [w, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

/** The encoding without the tokens at `drop` (positions). */
export function withoutTokens(e: EncodedText, drop: Iterable<number>): EncodedText {
  const gone = new Set(drop);
  const keep = [...e.ids.keys()].filter((i) => !gone.has(i));
  return {
    ids: Int32Array.from(keep, (i) => e.ids[i]),
    tokens: keep.map((i) => e.tokens[i]),
    truncated: e.truncated,
    fullLength: e.fullLength,
  };
}

/** Tokens rejoined into words ('##' pieces glued to the previous piece) with the summed weight of their pieces. */
export function wordsOf(tokens: string[], weights: number[]): { word: string; weight: number }[] {
  const out: { word: string; weight: number }[] = [];
  tokens.forEach((t, i) => {
    if (t.startsWith('##') && out.length) {
      out[out.length - 1].word += t.slice(2);
      out[out.length - 1].weight += weights[i];
    } else out.push({ word: t, weight: weights[i] });
  });
  return out;
}

/**
 * Faithfulness of the attention (DeYoung et al. 2020's comprehensiveness): the mean drop of the predicted
 * class's probability when the k most attended tokens are deleted, against the mean drop when k tokens chosen
 * at random (seeded) are deleted.
 */
export function deletionTest(
  model: TextModel,
  encoded: EncodedText[],
  k: number,
  map = 'tokens',
  seed = 0,
): { topDrop: number; randomDrop: number; notes: number } {
  const base = explainNotes(model, encoded);
  let s = seed >>> 0 || 1;
  const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  let topDrop = 0;
  let randomDrop = 0;
  let notes = 0;
  encoded.forEach((e, n) => {
    if (e.ids.length <= k) return;
    const b = base[n];
    const top = topK(b.weights[map], k);
    const order = [...e.ids.keys()];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const [afterTop, afterRandom] = explainNotes(model, [withoutTokens(e, top), withoutTokens(e, order.slice(0, k))]);
    topDrop += b.probs[b.predicted] - afterTop.probs[b.predicted];
    randomDrop += b.probs[b.predicted] - afterRandom.probs[b.predicted];
    notes++;
  });
  return { topDrop: topDrop / Math.max(1, notes), randomDrop: randomDrop / Math.max(1, notes), notes };
}
