/**
 * bench/text: one training epoch of the BiLSTM + additive attention text model on synthetic token batches
 * bucketed by length (lengths drawn like mtsamples notes cut to --max tokens), medattn against the same model in
 * PyTorch (bench/peer/text.py), same batches' shapes, same threads. Prints each side's seconds and the ratio.
 *   node --import tsx bench/text.ts [--notes 256] [--batch 32] [--max 256] [--dim 64] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/data/transforms/rng.js';
import { createTextModel } from '../src/models/text/text-models.js';
import { AdamW } from '../src/optim/index.js';
import { F, manualSeed, setNumThreads, tensor, tidy } from '../src/tensor/index.js';
import { bucketBatches, idsTensor } from '../src/train/tasks/text.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const [notes, batch, max, dim, threads] = [
  arg('notes', 256),
  arg('batch', 32),
  arg('max', 256),
  arg('dim', 64),
  arg('threads', 2),
];
const vocab = 8000;
const rng = Rng.seeded(0);
// Log-normal lengths around mtsamples' median of 555 tokens, cut to max.
const lengths = Array.from({ length: notes }, () =>
  Math.max(8, Math.min(max, Math.round(555 * Math.exp(0.6 * rng.normal())))),
);
const batches = bucketBatches(lengths, batch, rng).map((b) => b.map((i) => lengths[i]));

setNumThreads(threads);
manualSeed(0);
const model = createTextModel('text_bilstm', {
  vocabSize: vocab,
  numClasses: 9,
  embedDim: dim,
  hiddenSize: dim,
  attentionSize: dim,
  dropout: 0,
});
const opt = new AdamW(model.parameters(), { lr: 1e-3 });
const data = batches.map((lens) => ({
  x: lens.map((n) => ({
    ids: Int32Array.from({ length: n }, () => 2 + rng.int(vocab - 2)),
    tokens: [],
    truncated: false,
    fullLength: n,
  })),
  y: Int32Array.from(lens, () => rng.int(9)),
}));
const t = performance.now();
for (const b of data)
  tidy(() => {
    opt.zeroGrad();
    F.crossEntropy(model.forward(idsTensor(b.x)), tensor(b.y).long()).backward();
    opt.step();
  });
const ours = (performance.now() - t) / 1000;
const peer = spawnSync(
  '/usr/bin/python3',
  [fileURLToPath(new URL('./peer/text.py', import.meta.url)), JSON.stringify({ threads, vocab, dim, batches })],
  { encoding: 'utf8' },
);
if (peer.status !== 0) throw new Error(`peer failed: ${peer.stderr}`);
const theirs = (JSON.parse(peer.stdout) as { seconds: number }).seconds;
console.log(
  JSON.stringify({ notes, batch, max, dim, threads, medattn_s: ours, pytorch_s: theirs, ratio: ours / theirs }),
);
