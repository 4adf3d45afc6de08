// Module state dicts through safetensors files: round trip, atomic writes, and PyTorch reading our file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadTensors, manualSeed, saveTensors, tensor } from '../../src/tensor/index.js';
import { BatchNorm2d, Conv2d, Linear, Sequential } from '../../src/nn/index.js';
import { PYTHON } from '../helpers/torch-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-ser-'));

test('a model state dict round-trips exactly, metadata included', () => {
  manualSeed(3);
  const a = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), new Linear(4, 2));
  const path = join(dir, 'model.safetensors');
  saveTensors(path, a.stateDict(), { config: '{"x":1}' });
  const b = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), new Linear(4, 2));
  const { tensors, metadata } = loadTensors(path);
  b.loadStateDict(tensors);
  assert.equal(metadata.config, '{"x":1}');
  for (const [k, t] of a.stateDict()) assert.deepEqual(b.stateDict().get(k)!.toArray(), t.toArray(), k);
  assert.deepEqual(readdirSync(dir), ['model.safetensors'], 'no temp file left behind');
});

test('bfloat16 and int64 tensors keep their dtype and bits', () => {
  const path = join(dir, 'dtypes.safetensors');
  saveTensors(path, { b: tensor([1.5, -2.25], { dtype: 'bfloat16' }), i: tensor(new BigInt64Array([2n ** 60n])) });
  const { tensors } = loadTensors(path);
  assert.equal(tensors.get('b')!.dtype, 'bfloat16');
  assert.deepEqual(Array.from(tensors.get('b')!.toArray() as ArrayLike<number>), [1.5, -2.25]);
  assert.deepEqual(Array.from(tensors.get('i')!.toArray() as ArrayLike<number>), [2n ** 60n]);
});

test('PyTorch loads our checkpoint into the same torch.nn model and gets the same output', () => {
  manualSeed(5);
  const m = new Sequential(new Linear(3, 4), new Linear(4, 2));
  const path = join(dir, 'linear.safetensors');
  saveTensors(path, m.stateDict());
  const x = tensor([[0.1, -0.2, 0.3]]);
  const ours = Array.from(m.forward(x).toArray() as Float32Array);
  const script = `
import json, struct, sys, numpy as np, torch
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
body = raw[8 + n:]
state = {}
for k, v in header.items():
    if k == '__metadata__': continue
    a, b = v['data_offsets']
    state[k] = torch.from_numpy(np.frombuffer(body[a:b], dtype='<f4').copy().reshape(v['shape']))
m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
m.load_state_dict(state, strict=True)
print(json.dumps(m(torch.tensor([[0.1, -0.2, 0.3]])).tolist()[0]))`;
  const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const theirs = JSON.parse(r.stdout) as number[];
  theirs.forEach((v, i) => assert.ok(Math.abs(v - ours[i]) < 1e-6, `output ${i}: torch ${v}, medattn ${ours[i]}`));
});

test('a corrupt checkpoint is a one-line error naming the file', () => {
  const path = join(dir, 'corrupt.safetensors');
  writeFileSync(path, Buffer.from([1, 2, 3]));
  assert.throws(
    () => loadTensors(path),
    (e: Error) => e.message.startsWith(path) && !e.message.includes('\n'),
  );
});
