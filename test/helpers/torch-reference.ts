// Test helper: evaluates PyTorch expressions in Debian's python3-torch (/usr/bin/python3; the `python3` on
// the PATH is another interpreter without torch) on the same inputs a test gives medattn.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { tensor, type Tensor } from '../../src/tensor/index.js';

export const PYTHON = '/usr/bin/python3';

/** Deterministic values in [-1, 1) (mulberry32), identical for a (shape, seed) pair in every test. */
export function detValues(n: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

export interface InputSpec {
  shape: number[];
  seed?: number;
  /** Explicit values (e.g. class indices) instead of seeded ones. */
  values?: number[];
  dtype?: 'float32' | 'float64' | 'int64' | 'bool';
  requiresGrad?: boolean;
}

export function makeInput(spec: InputSpec): Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const values = spec.values ?? detValues(n, spec.seed ?? 1);
  return tensor(values, { shape: spec.shape, dtype: spec.dtype ?? 'float32', requiresGrad: spec.requiresGrad });
}

export interface TorchOutput {
  shape: number[];
  data: number[];
}

const PRELUDE = `
import json, sys, math
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
req = json.load(sys.stdin)
def make(spec):
    dt = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'bool': torch.bool}[spec.get('dtype', 'float32')]
    t = torch.tensor(spec['values'], dtype=torch.float64).reshape(spec['shape']).to(dt)
    if spec.get('requiresGrad'):
        t.requires_grad_(True)
    return t
def out(v):
    if isinstance(v, (tuple, list)):
        return [out(x) for x in v]
    if isinstance(v, torch.Tensor):
        return {'shape': list(v.shape), 'data': v.detach().double().flatten().tolist()}
    return v
`;

/**
 * Runs each case's Python expression (or statements assigning `result`) with its inputs bound by name;
 * returns the outputs by case name. `setup` is extra Python run once first (definitions, seeds).
 */
export function torchReference(
  cases: Record<string, { inputs: Record<string, InputSpec>; py: string }>,
  setup = '',
): Record<string, any> {
  const payload: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(cases)) {
    const inputs: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(c.inputs)) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      inputs[k] = { ...spec, values: spec.values ?? detValues(n, spec.seed ?? 1) };
    }
    payload[name] = { inputs, py: c.py };
  }
  const script = `${PRELUDE}
${setup}
res = {}
for name, c in req.items():
    env = {k: make(s) for k, s in c['inputs'].items()}
    env.update(torch=torch, F=F, math=math)
    src = c['py']
    scope = dict(globals())
    scope.update(env)
    if 'result' in src and '=' in src:
        exec(src, scope)
        res[name] = out(scope['result'])
    else:
        res[name] = out(eval(src, scope))
print(json.dumps(res))
`;
  const r = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(payload),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`torch reference failed: ${r.stderr}`);
  return JSON.parse(
    r.stdout
      .replace(/\bNaN\b/g, 'null')
      .replace(/-Infinity\b/g, '-1e308')
      .replace(/\bInfinity\b/g, '1e308'),
  );
}

/** Asserts |a - e| <= atol + rtol |e| elementwise, with the worst index in the message. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-5, label = '' } = {},
): void {
  assert.equal(actual.length, expected.length, `${label}: length ${actual.length} != ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i] === null ? NaN : Number(expected[i]);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0)
    assert.fail(
      `${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`,
    );
}

/** Compares a medattn tensor with a torch output {shape, data}. */
export function assertMatchesTorch(
  t: Tensor,
  ref: TorchOutput,
  options: { atol?: number; rtol?: number; label?: string } = {},
): void {
  assert.deepEqual(t.shape, ref.shape, `${options.label}: shape`);
  assertAllClose(Array.from(t.toArray() as ArrayLike<number>, Number), ref.data, options);
}
