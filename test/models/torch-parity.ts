// Test helper: runs a PyTorch reference case (fixtures/torch_parity.py) and loads what it wrote, state dict,
// inputs and outputs, as medattn tensors. Weights travel as raw float32 + a JSON index in os.tmpdir().
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keep, tensor, type Tensor } from '../../src/tensor/index.js';

export const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./fixtures/torch_parity.py', import.meta.url));

export interface TorchCase {
  state: Map<string, Tensor>;
  inputs: Record<string, Tensor>;
  outputs: Record<string, Tensor>;
  parameters: number;
}

/** Runs the named cases in one Python process (torch imports once) and loads their files. */
export function torchCases(names: string[]): Record<string, TorchCase> {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-parity-'));
  try {
    const r = spawnSync(PYTHON, [script, dir, ...names], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`torch_parity.py ${names.join(' ')} failed: ${r.stderr}`);
    return Object.fromEntries(names.map((n) => [n, readCase(join(dir, n))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readCase(prefix: string): TorchCase {
  const index = JSON.parse(readFileSync(prefix + '.json', 'utf8')) as {
    tensors: Record<string, { offset: number; shape: number[] }>;
    parameters: number;
  };
  const buf = readFileSync(prefix + '.bin');
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out: TorchCase = { state: new Map(), inputs: {}, outputs: {}, parameters: index.parameters };
  for (const [key, { offset, shape }] of Object.entries(index.tensors)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = keep(tensor(all.subarray(offset, offset + n), { shape }));
    const [kind, ...rest] = key.split('.');
    const k = rest.join('.');
    if (kind === 'state') out.state.set(k, t);
    else if (kind === 'in') out.inputs[k] = t;
    else out.outputs[k] = t;
  }
  return out;
}

/** Largest absolute difference between two tensors of the same shape. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`shape [${a.shape}] != [${b.shape}]`);
  const x = a.toFloat32Array();
  const y = b.toFloat32Array();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
