/** Tensor creation: constants, ranges, random, identity, and from JS data. */
import { aten, checkDevice, Tensor, tensorFromTypedArray, type Device, type Shape } from './tensor.js';
import { dtypeCode, dtypeOfTypedArray, typedArrayCtor, type DType } from './dtype.js';

export interface CreationOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

// The trailing (dtype, layout, device, pin_memory) arguments every ATen factory takes.
function factoryArgs(o: CreationOptions, defaultDType: DType = 'float32'): unknown[] {
  return [dtypeCode[o.dtype ?? defaultDType], null, checkDevice(o.device ?? 'cpu'), null];
}

function finish(t: Tensor, o: CreationOptions): Tensor {
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

export function zeros(shape: Shape, o: CreationOptions = {}): Tensor {
  return finish(aten('zeros', [...shape], ...factoryArgs(o)), o);
}
export function ones(shape: Shape, o: CreationOptions = {}): Tensor {
  return finish(aten('ones', [...shape], ...factoryArgs(o)), o);
}
export function full(shape: Shape, value: number, o: CreationOptions = {}): Tensor {
  return finish(aten('full', [...shape], value, ...factoryArgs(o)), o);
}
export function empty(shape: Shape, o: CreationOptions = {}): Tensor {
  return finish(aten('empty.memory_format', [...shape], ...factoryArgs(o), null), o);
}
/** [start, end) with `step`; float32 unless a dtype is given (PyTorch would pick int64 for integer args). */
export function arange(start: number, end?: number, step = 1, o: CreationOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  return finish(aten('arange.start_step', start, end, step, ...factoryArgs(o)), o);
}
export function linspace(start: number, end: number, steps: number, o: CreationOptions = {}): Tensor {
  return finish(aten('linspace', start, end, steps, ...factoryArgs(o)), o);
}
/** Uniform on [0, 1). */
export function rand(shape: Shape, o: CreationOptions = {}): Tensor {
  return finish(aten('rand', [...shape], ...factoryArgs(o)), o);
}
/** Standard normal. */
export function randn(shape: Shape, o: CreationOptions = {}): Tensor {
  return finish(aten('randn', [...shape], ...factoryArgs(o)), o);
}
/** Integers uniform on [low, high); int64 by default. */
export function randint(low: number, high: number, shape: Shape, o: CreationOptions = {}): Tensor {
  return finish(aten('randint.low', low, high, [...shape], ...factoryArgs(o, 'int64')), o);
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, o: CreationOptions = {}): Tensor {
  return aten('randperm', n, ...factoryArgs(o, 'int64'));
}
export function eye(n: number, m = n, o: CreationOptions = {}): Tensor {
  return finish(aten('eye.m', n, m, ...factoryArgs(o)), o);
}
export function zerosLike(t: Tensor, o: CreationOptions = {}): Tensor {
  return finish(zeros(t.shape, { dtype: o.dtype ?? t.dtype, device: o.device ?? (t.device as Device) }), o);
}
export function onesLike(t: Tensor, o: CreationOptions = {}): Tensor {
  return finish(ones(t.shape, { dtype: o.dtype ?? t.dtype, device: o.device ?? (t.device as Device) }), o);
}
export function randLike(t: Tensor): Tensor {
  return rand(t.shape, { dtype: t.dtype, device: t.device as Device });
}
export function randnLike(t: Tensor): Tensor {
  return randn(t.shape, { dtype: t.dtype, device: t.device as Device });
}

type Nested = number | boolean | Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/**
 * A tensor from JS data: a typed array (with `shape`, default 1-D) or nested arrays (shape inferred).
 * The dtype defaults to the typed array's, or float32 for plain numbers.
 */
export function tensor(data: ArrayBufferView | Nested, o: CreationOptions & { shape?: Shape } = {}): Tensor {
  let t: Tensor;
  if (ArrayBuffer.isView(data)) {
    const natural = dtypeOfTypedArray(data);
    const shape = o.shape ?? [(data as unknown as ArrayLike<number>).length];
    t = tensorFromTypedArray(data, shape, natural);
    if (o.dtype && o.dtype !== natural) t = convert(t, o.dtype);
  } else {
    const shape = o.shape ?? inferShape(data);
    const flat = Array.isArray(data) ? (data as Nested[]).flat(Infinity as 1) : [data];
    const dtype = o.dtype ?? 'float32';
    const Ctor = typedArrayCtor(dtype === 'bfloat16' || dtype === 'float16' ? 'float32' : dtype);
    const arr =
      Ctor === BigInt64Array
        ? BigInt64Array.from(flat as number[], (v) => BigInt(Math.trunc(Number(v))))
        : (Ctor as Float32ArrayConstructor).from(
            flat as number[],
            dtype === 'bool' ? (v) => (v ? 1 : 0) : (v) => Number(v),
          );
    const expected = shape.reduce((a, b) => a * b, 1);
    if (arr.length !== expected)
      throw new RangeError(`tensor: nested data has ${arr.length} values, shape [${shape}] needs ${expected}`);
    t = tensorFromTypedArray(arr, shape, dtype === 'bfloat16' || dtype === 'float16' ? 'float32' : dtype);
    if (dtype === 'bfloat16' || dtype === 'float16') t = convert(t, dtype);
  }
  if (o.device && o.device !== 'cpu') t = convert(t, o.device);
  return finish(t, o);
}

function convert(t: Tensor, target: DType | Device): Tensor {
  const out = t.to(target);
  t.dispose();
  return out;
}

export function cat(tensors: Tensor[], dim = 0): Tensor {
  return aten('cat', tensors, dim);
}
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return aten('stack', tensors, dim);
}
export function where(condition: Tensor, x: Tensor, y: Tensor): Tensor {
  return aten('where.self', condition, x, y);
}
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  return aten('einsum', equation, operands, null);
}
