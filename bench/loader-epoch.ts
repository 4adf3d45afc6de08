// CPU seconds the loader spends on one training epoch of a config (read, augment, collate; no model), with the
// deterministic-prefix cache (the config as it is) and without it (`preload` off: every sample runs the whole
// pipeline). In this thread (workers 0), so process CPU time is the loader's alone.
//   MEDATTN_DATA=... nice -n 19 npx tsx bench/loader-epoch.ts configs/drive.json [--epochs N]
import { parseArgs } from 'node:util';
import type { DatasetSpec } from '../src/data/datasets/index.js';
import { Loader } from '../src/data/loader/index.js';
import { loadConfig } from '../src/train/config.js';

const { values: o, positionals } = parseArgs({ allowPositionals: true, options: { epochs: { type: 'string' } } });
if (positionals.length !== 1) throw new Error('usage: bench/loader-epoch.ts CONFIG [--epochs N]');
const config = loadConfig(positionals[0]);
const epochs = Number(o.epochs ?? 2);

/** The spec with every `preload` turned off (a subset's base too). */
function withoutPreload(spec: DatasetSpec): DatasetSpec {
  const s = { ...spec } as Record<string, unknown>;
  if ('preload' in s) s.preload = false;
  if (s.of) s.of = withoutPreload(s.of as DatasetSpec);
  return s as unknown as DatasetSpec;
}

for (const [name, dataset] of [
  ['uncached', withoutPreload(config.data.train)],
  ['cached', config.data.train],
] as const) {
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  const loader = await Loader.create({
    dataset,
    transforms: config.transforms.train,
    batchSize: config.training.batchSize,
    shuffle: true,
    dropLast: true,
    seed: config.training.seed,
    workers: 0,
  });
  const cpu = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  const perEpoch: string[] = [];
  let last = cpu(process.cpuUsage(t0));
  const open = last;
  for (let e = 0; e < epochs; e++) {
    for await (const _ of loader.epoch(e));
    const now = cpu(process.cpuUsage(t0));
    perEpoch.push((now - last).toFixed(1));
    last = now;
  }
  await loader.close();
  // Without preload the first epoch also decodes each case once (the decode cache keeps it): read epochs 2+.
  console.log(
    `${name}: open ${open.toFixed(1)} s CPU, then per epoch ${perEpoch.join(', ')} s CPU` +
      ` (${loader.batchCount} batches; wall ${((performance.now() - w0) / 1000).toFixed(1)} s in all)`,
  );
}
