/**
 * bench/text: one training epoch of the BiLSTM + additive attention text model on synthetic token batches
 * bucketed by length (lengths drawn like mtsamples notes cut to --max tokens), medattn against the same model in
 * PyTorch (bench/peer/text.py), same batches' shapes, same threads. The sides alternate --repeats times (who
 * goes first alternates too, as in bench/train.ts), each repeat a fresh model on the same batches; prints every
 * repeat's seconds, the ratio of the fastest of each side and the median of the per-repeat ratios.
 *   node --import tsx bench/text.ts [--notes 256] [--batch 32] [--max 256] [--dim 64] [--threads 2] [--repeats 3]
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
const [notes, batch, max, dim, threads, repeats] = [
  arg('notes', 256),
  arg('batch', 32),
  arg('max', 256),
  arg('dim', 64),
  arg('threads', 2),
  arg('repeats', 3),
];
const vocab = 8000;
const rng = Rng.seeded(0);
// Log-normal lengths around mtsamples' median of 555 tokens, cut to max.
const lengths = Array.from({ length: notes }, () =>
  Math.max(8, Math.min(max, Math.round(555 * Math.exp(0.6 * rng.normal())))),
);
const batches = bucketBatches(lengths, batch, rng).map((b) => b.map((i) => lengths[i]));

setNumThreads(threads);
const data = batches.map((lens) => ({
  x: lens.map((n) => ({
    ids: Int32Array.from({ length: n }, () => 2 + rng.int(vocab - 2)),
    tokens: [],
    truncated: false,
    fullLength: n,
  })),
  y: Int32Array.from(lens, () => rng.int(9)),
}));
/** One epoch of a freshly initialised model over the batches, in seconds. */
function oursEpoch(): number {
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
  const t = performance.now();
  for (const b of data)
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(idsTensor(b.x)), tensor(b.y).long()).backward();
      opt.step();
    });
  const seconds = (performance.now() - t) / 1000;
  model.dispose();
  return seconds;
}

function peerEpoch(): number {
  const peer = spawnSync(
    '/usr/bin/python3',
    [fileURLToPath(new URL('./peer/text.py', import.meta.url)), JSON.stringify({ threads, vocab, dim, batches })],
    { encoding: 'utf8' },
  );
  if (peer.status !== 0) throw new Error(`peer failed: ${peer.stderr}`);
  return (JSON.parse(peer.stdout) as { seconds: number }).seconds;
}

// This machine's speed drifts between minutes: alternate the sides, and who goes first, so drift cancels.
const ours: number[] = [];
const theirs: number[] = [];
for (let r = 0; r < repeats; r++) {
  const order =
    r % 2 === 0
      ? [() => ours.push(oursEpoch()), () => theirs.push(peerEpoch())]
      : [() => theirs.push(peerEpoch()), () => ours.push(oursEpoch())];
  for (const run of order) run();
}
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const paired = ours.map((o, i) => o / theirs[i]);
console.log(
  JSON.stringify({
    notes,
    batch,
    max,
    dim,
    threads,
    repeats,
    medattn_s: ours.map((v) => +v.toFixed(3)),
    pytorch_s: theirs.map((v) => +v.toFixed(3)),
    ratio_of_fastest: +(Math.min(...ours) / Math.min(...theirs)).toFixed(3),
    paired_ratios: paired.map((v) => +v.toFixed(3)),
    median_paired_ratio: +median(paired).toFixed(3),
  }),
);
