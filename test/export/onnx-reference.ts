// Shared by the export tests: libtorch eval outputs beside ONNX Runtime outputs, ONNX's own checker through
// Debian's python3-onnx, and models with every weight and BatchNorm statistic randomised (so folding and
// zero-initialised residual scales are exercised, not skipped).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { createModel, type AttentionModel } from '../../src/models/index.js';
import { keep, manualSeed, noGrad, rand, randn, tensor, tidy, type Tensor } from '../../src/tensor/index.js';

/** Perturbs every float parameter and buffer (running variances stay positive). */
export function randomizeState(model: AttentionModel): void {
  noGrad(() => {
    for (const [name, t] of model.stateDict()) {
      if (t.dtype !== 'float32') continue;
      tidy(() => {
        if (name.endsWith('running_var')) t.copy_(rand(t.shape).mul(1.5).add(0.5));
        else if (name.endsWith('running_mean')) t.copy_(randn(t.shape).mul(0.2));
        else if (name.endsWith('gamma')) t.copy_(rand(t.shape).add(0.5));
        else t.add_(randn(t.shape).mul(0.05));
      });
    }
  });
  model.eval();
}

/** configs/pneumoniamnist.json's network (SE, CBAM, non-local stages), every weight and BatchNorm statistic randomised. */
export function shippedAttentionCnn(seed: number): AttentionModel {
  manualSeed(seed);
  const model = createModel('attention_cnn', {
    inChannels: 1,
    numClasses: 2,
    stages: [
      { channels: 32, attention: 'se', convs: 2 },
      { channels: 64, attention: 'cbam', convs: 2 },
      { channels: 128, attention: 'nonlocal', convs: 2 },
    ],
    reduction: 8,
  });
  randomizeState(model);
  return model;
}

/** libtorch eval: logits and every attention map (forwardWithAttention keys), as float32 arrays. */
export function torchOutputs(model: AttentionModel, x: Tensor): Map<string, Float32Array> {
  return tidy(() =>
    noGrad(() => {
      const { output, attention } = model.forwardWithAttention(x);
      const out = new Map<string, Float32Array>([['logits', output.toFloat32Array()]]);
      for (const [k, v] of attention) out.set(`attention/${k}`, v.toFloat32Array());
      keep(output);
      return out;
    }),
  );
}

/** ONNX Runtime outputs by name (the graph input `input`: float32 data, or int64 token ids). */
export async function ortOutputs(
  bytes: Uint8Array,
  data: Float32Array | BigInt64Array,
  dims: number[],
  input = 'image',
): Promise<Map<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  try {
    const feed =
      data instanceof BigInt64Array ? new ort.Tensor('int64', data, dims) : new ort.Tensor('float32', data, dims);
    const result = await session.run({ [input]: feed });
    return new Map(Object.entries(result).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** onnx.checker.check_model(path, full_check=True) through Debian's python3-onnx: '' when it passes. */
export function onnxCheck(path: string): string {
  const r = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True); print("ok")', path],
    { encoding: 'utf8' },
  );
  return r.status === 0 && r.stdout.trim() === 'ok'
    ? ''
    : `${r.stderr}${r.stdout}`.trim().split('\n').slice(-3).join(' | ');
}

/**
 * Max |ONNX Runtime - libtorch eval| per output of an exported classifier on the batch `x` (float32 or int64
 * ids) fed as `input`: logits, probabilities (softmax of libtorch's logits) and every attention map. Fails if
 * the two sides do not have the same set of outputs.
 */
export async function classifierParity(
  model: AttentionModel,
  bytes: Uint8Array,
  x: Tensor,
  input: string,
): Promise<Map<string, number>> {
  const reference = tidy(() => torchOutputs(model, x));
  const logits = reference.get('logits')!;
  const n = x.shape[0];
  reference.set(
    'probabilities',
    tidy(() =>
      tensor(logits, { shape: [n, logits.length / n] })
        .softmax(1)
        .toFloat32Array(),
    ),
  );
  const data = tidy(() => (x.dtype === 'int64' ? (x.toArray() as BigInt64Array) : x.toFloat32Array()));
  const got = await ortOutputs(bytes, data, x.shape, input);
  const keys = [...reference.keys()].sort();
  if (keys.join() !== [...got.keys()].sort().join())
    throw new Error(`outputs differ: libtorch ${keys.join(', ')}; ONNX ${[...got.keys()].sort().join(', ')}`);
  return new Map(keys.map((k) => [k, maxAbsDiff(got.get(k)!, reference.get(k)!)]));
}

/** Numbers of two metric objects, key by key (nested objects and arrays flattened). */
export function maxMetricDiff(a: Record<string, unknown>, b: Record<string, unknown>): number {
  let worst = 0;
  const walk = (x: unknown, y: unknown, at: string) => {
    if (typeof x === 'number') {
      assert.equal(typeof y, 'number', at);
      if (Number.isFinite(x) || Number.isFinite(y as number)) worst = Math.max(worst, Math.abs(x - (y as number)));
    } else if (x && typeof x === 'object') {
      assert.deepEqual(Object.keys(x).sort(), Object.keys(y as object).sort(), at);
      for (const k of Object.keys(x)) walk((x as never)[k], (y as never)[k], `${at}.${k}`);
    } else assert.deepEqual(x, y, at);
  };
  walk(a, b, 'metrics');
  return worst;
}
