import { test } from 'node:test';
import { getPriority } from 'node:os';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Loader, shareArrays, type Batch, type LoaderOptions } from '../../../src/data/loader/index.js';
import { createDataset } from '../../../src/data/datasets/index.js';
import type { TransformSpec } from '../../../src/data/transforms/index.js';

const fixture = fileURLToPath(new URL('./fixtures/counting-dataset.ts', import.meta.url));
const augment: TransformSpec[] = [
  { type: 'randAffine', masks: ['mask'], rotate: 20, scale: 0.1, translate: 1 },
  { type: 'randFlip', masks: ['mask'] },
  { type: 'randGaussianNoise', std: 0.1, p: 0.5 },
];

async function collect(opts: LoaderOptions, epochs: number[]): Promise<Batch[][]> {
  const loader = await Loader.create(opts);
  try {
    const out: Batch[][] = [];
    for (const e of epochs) {
      const list: Batch[] = [];
      for await (const b of loader.epoch(e)) list.push(b);
      out.push(list);
    }
    return out;
  } finally {
    await loader.close();
  }
}

const plain = (b: Batch) => ({
  index: b.index,
  epoch: b.epoch,
  indices: Array.from(b.indices),
  fields: Object.fromEntries(
    Object.entries(b.fields).map(([k, f]) => [
      k,
      { shape: f.shape, type: f.data.constructor.name, data: Array.from(f.data) },
    ]),
  ),
});

test('0 workers and 2 workers give identical batches (order and augmentation), every sample once per epoch', async () => {
  const base: LoaderOptions = {
    dataset: { kind: 'module', module: fixture, options: { length: 21 } },
    transforms: augment,
    batchSize: 4,
    seed: 5,
  };
  const local = await collect({ ...base, workers: 0 }, [0, 1]);
  const pooled = await collect({ ...base, workers: 2, prefetch: 3 }, [0, 1]);
  assert.deepEqual(
    local.map((e) => e.map(plain)),
    pooled.map((e) => e.map(plain)),
  );
  for (const epoch of local) {
    assert.equal(epoch.length, 6);
    const seen = epoch.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    assert.deepEqual(seen, [...Array(21).keys()]);
    for (const b of epoch) {
      assert.deepEqual(b.fields.image.shape, [b.indices.length, 1, 6, 6]);
      // Labels follow their samples through the shuffle; masks stay binary through the affine.
      assert.deepEqual(
        Array.from(b.fields.label.data),
        Array.from(b.indices).map((i) => i % 3),
      );
      assert.ok(
        b.fields.mask.data.every((v) => v === 0 || v === 1),
        'mask binary',
      );
    }
  }
  assert.notDeepEqual(
    local[0].map((b) => Array.from(b.indices)),
    local[1].map((b) => Array.from(b.indices)),
  );
});

test('order and augmentation are reproducible per seed and epoch; another seed differs', async () => {
  const base: LoaderOptions = {
    dataset: { kind: 'module', module: fixture, options: { length: 10 } },
    transforms: augment,
    batchSize: 5,
  };
  const a = await collect({ ...base, seed: 1 }, [3]);
  const b = await collect({ ...base, seed: 1 }, [3]);
  const c = await collect({ ...base, seed: 2 }, [3]);
  assert.deepEqual(a[0].map(plain), b[0].map(plain));
  assert.notDeepEqual(a[0].map(plain), c[0].map(plain));
});

test('shared-array datasets are read by workers without copying, same result as in-process', async () => {
  const N = 12;
  const image = new Uint8Array(N * 8 * 8).map((_, i) => (i * 37) % 256);
  const label = Uint8Array.from({ length: N }, (_, i) => i % 2);
  const arrays = shareArrays({ image: { data: image, shape: [N, 1, 8, 8] }, label: { data: label, shape: [N] } });
  assert.ok(arrays.image.data.buffer instanceof SharedArrayBuffer, 'image on a SharedArrayBuffer');
  const base: LoaderOptions = {
    dataset: { kind: 'arrays', arrays },
    transforms: [
      { type: 'toFloat', scale: 1 / 255 },
      { type: 'randRot90' },
      { type: 'randContrast', factor: [0.8, 1.2] },
    ],
    batchSize: 5,
    seed: 9,
  };
  const local = await collect({ ...base, workers: 0 }, [0]);
  const pooled = await collect({ ...base, workers: 2 }, [0]);
  assert.deepEqual(local[0].map(plain), pooled[0].map(plain));
  assert.deepEqual(
    local[0].map((b) => b.fields.label.data.constructor.name),
    ['Int32Array', 'Int32Array', 'Int32Array'],
  );
});

test('a dataset object is read as it is in-process and rebuilt from describe() in workers: same batches', async () => {
  const N = 10;
  const image = Float32Array.from({ length: N * 16 }, (_, i) => i);
  const label = Int32Array.from({ length: N }, (_, i) => i % 3);
  const dataset = await createDataset({
    kind: 'arrays',
    arrays: shareArrays({ image: { data: image, shape: [N, 1, 4, 4] }, label: { data: label, shape: [N] } }),
  });
  const base: LoaderOptions = {
    dataset,
    transforms: [{ type: 'randFlip' }, { type: 'randGaussianNoise', std: 0.1 }],
    batchSize: 4,
    seed: 3,
  };
  const local = await collect({ ...base, workers: 0 }, [0, 1]);
  const pooled = await collect({ ...base, workers: 2 }, [0, 1]);
  assert.deepEqual(
    local.map((e) => e.map(plain)),
    pooled.map((e) => e.map(plain)),
  );
  assert.deepEqual(
    Array.from(local[0][0].fields.label.data),
    Array.from(local[0][0].indices, (i) => i % 3),
  );
});

test('prefetch overlaps: while the consumer works on batch k, batch k+1 is already made', async () => {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const batchSize = 4;
  const batches = 6;
  const loader = await Loader.create({
    dataset: { kind: 'module', module: fixture, options: { length: batchSize * batches, counter, delayMs: 4 } },
    batchSize,
    workers: 1,
    prefetch: 2,
    shuffle: false,
  });
  try {
    // While the consumer holds batch k (a training step) and asks for nothing, the worker reads batch k+1's
    // samples by itself. Waited for by polling, not a fixed sleep: under load a niced worker may take seconds.
    let k = 0;
    for await (const b of loader.epoch(0)) {
      assert.equal(b.index, k);
      const expected = Math.min(batches, k + 2) * batchSize;
      const deadline = Date.now() + 30_000;
      while (Atomics.load(counter, 0) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const read = Atomics.load(counter, 0);
      assert.ok(read >= expected, `while the consumer held batch ${k}: ${read} samples read, expected ${expected}`);
      k++;
    }
    assert.equal(loader.stats.yielded, batches);
  } finally {
    await loader.close();
  }
});

test('breaking out early cancels cleanly; the next epoch still works; close is idempotent', async () => {
  const loader = await Loader.create({
    dataset: { kind: 'module', module: fixture, options: { length: 40 } },
    batchSize: 2,
    workers: 2,
    prefetch: 4,
  });
  for await (const b of loader.epoch(0)) if (b.index === 1) break;
  let n = 0;
  for await (const _ of loader.epoch(1)) n++;
  assert.equal(n, 20);
  await loader.close();
  await loader.close();
  await assert.rejects(
    async () => {
      for await (const _ of loader.epoch(2)) void _;
    },
    { name: 'LoaderError' },
  );
});

test('errors name the failing sample (in-process and in a worker) and a bad module fails at create', async () => {
  for (const workers of [0, 1]) {
    const loader = await Loader.create({
      dataset: { kind: 'module', module: fixture, options: { length: 6, failAt: 4 } },
      batchSize: 3,
      workers,
      shuffle: false,
    });
    try {
      await assert.rejects(
        async () => {
          for await (const _ of loader.epoch(0)) void _;
        },
        { name: 'LoaderError', message: /sample 4 is corrupt/ },
      );
    } finally {
      await loader.close();
    }
  }
  await assert.rejects(
    Loader.create({ dataset: { kind: 'module', module: '/nonexistent/dataset.ts' }, batchSize: 2, workers: 1 }),
    { name: 'LoaderError', message: /nonexistent/ },
  );
  await assert.rejects(
    Loader.create({ dataset: { kind: 'module', module: fixture, export: 'nothing' }, batchSize: 2, workers: 0 }),
    {
      name: 'DatasetSpecError',
      message: /has no export "nothing"/,
    },
  );
});

test('worker threads run at niceness 10 by default (below the training threads), `nice` sets it, bad values are refused', async () => {
  // Linux: /proc/self/task/<tid>/stat field 19 is the thread's nice value.
  const niceValues = () =>
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
  const dataset = { kind: 'module' as const, module: fixture, options: { length: 4 } };
  // counted against the threads already at that value, so the test also holds when it runs under `nice`
  // (then other new threads inherit the same value, and only "at least the two workers" can be checked)
  const at = (value: number) => niceValues().filter((n) => n === value).length;
  const base = getPriority();
  for (const [nice, expected] of [
    [undefined, 10],
    [3, 3],
  ] as const) {
    const before = at(expected);
    const loader = await Loader.create({ dataset, batchSize: 2, workers: 2, ...(nice === undefined ? {} : { nice }) });
    try {
      if (expected === base) assert.ok(at(expected) - before >= 2);
      else assert.equal(at(expected) - before, 2);
    } finally {
      await loader.close();
    }
  }
  await assert.rejects(
    Loader.create({ dataset, batchSize: 2, workers: 1, nice: 25 }),
    /nice must be an integer 0\.\.19, got 25/,
  );
});
