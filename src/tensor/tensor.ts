/**
 * The typed Tensor API over libtorch. Every method is one ATen operator called through the dispatcher
 * (see native/src/dispatch.cc), so autograd, dtypes and devices behave exactly as in PyTorch.
 */
import { UserError } from '../user-error.js';
import { native, type OpHandle, type TensorHandle } from './native.js';
import { dtypeCode, dtypeFromCode, typedArrayCtor, type AnyTypedArray, type DType } from './dtype.js';
import { track } from './scope.js';

export type Device = 'cpu' | 'cuda' | `cuda:${number}`;
export type Shape = readonly number[];
type Arg = unknown;

const opCache = new Map<string, OpHandle>();

/** Looks an ATen operator up once: `name` is 'conv2d' or 'sum.dim_IntList' (overload after the dot). */
export function findOp(name: string): OpHandle {
  let op = opCache.get(name);
  if (!op) {
    const dot = name.indexOf('.');
    const base = dot < 0 ? name : name.slice(0, dot);
    const overload = dot < 0 ? '' : name.slice(dot + 1);
    op = native.findOp(`aten::${base}`, overload);
    if (!op) throw new Error(`medattn: libtorch has no operator aten::${name}`);
    opCache.set(name, op);
  }
  return op;
}

function toNativeArg(a: Arg): unknown {
  if (a instanceof Tensor) return a.handle;
  if (Array.isArray(a)) return a.map(toNativeArg);
  return a;
}

/** A tensor as nested arrays (`toList`): a number at rank 0. */
export type NestedNumbers = number | NestedNumbers[];

function fromNative(r: unknown): unknown {
  if (Array.isArray(r)) return r.map(fromNative);
  if (r !== null && typeof r === 'object') return new Tensor(r as TensorHandle);
  return r;
}

/**
 * Calls any ATen operator by name with arguments in schema order; tensors in, tensors out. The result's type
 * depends on the operator's schema, which only the caller knows: a Tensor by default, else say it
 * (`aten<Tensor[]>('_foreach_norm.Scalar', ...)`, `aten<number>(...)`).
 */
export function aten<R = Tensor>(name: string, ...args: Arg[]): R {
  return fromNative(native.callOp(findOp(name), args.map(toNativeArg))) as R;
}

/** The schema of an ATen operator, e.g. for looking up argument order. */
export function atenSchema(name: string): string {
  return native.opSchema(findOp(name));
}

function t1(name: string, ...args: Arg[]): Tensor {
  return aten(name, ...args) as Tensor;
}

/** The channels-last memory format of a tensor rank: NHWC for 4-D, NDHWC for 5-D, none for other ranks. */
export function channelsLastFormat(ndim: number): 'channelsLast' | 'channelsLast3d' | undefined {
  if (ndim === 4) return 'channelsLast';
  return ndim === 5 ? 'channelsLast3d' : undefined;
}

/** A device that does not exist here or a name that is no device: a user's error, one line. */
export class DeviceError extends UserError {}

/** Validates a device name up front, so a missing GPU is one clear line rather than a dispatcher dump. */
export function checkDevice(device: string): Device {
  if (device === 'cpu') return device;
  if (!/^cuda(:\d+)?$/.test(device))
    throw new DeviceError(`medattn: unknown dtype or device '${device}'; devices are 'cpu', 'cuda' or 'cuda:N'`);
  if (!native.cudaAvailable())
    throw new DeviceError(
      `medattn: device '${device}' requested, but libtorch has no CUDA here (CPU-only build or no GPU); use 'cpu'`,
    );
  return device as Device;
}

/** Reduction enum of ATen losses. */
export type Reduction = 'none' | 'mean' | 'sum';
export const reductionCode: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

export class Tensor {
  readonly handle: TensorHandle;
  #shape: number[] | undefined;

  constructor(handle: TensorHandle) {
    this.handle = handle;
    track(this);
  }

  /** Reports this tensor's native bytes to V8's GC heuristics (tensors made inside tidy() are not, at first). */
  reportMemory(): void {
    native.reportExternal(this.handle);
  }

  // ---- metadata ----
  get shape(): number[] {
    return (this.#shape ??= native.shape(this.handle));
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  size(dim: number): number {
    const s = this.shape;
    return s[dim < 0 ? dim + s.length : dim];
  }
  get dtype(): DType {
    return dtypeFromCode(native.meta(this.handle)[1]);
  }
  get device(): string {
    return native.meta(this.handle)[2];
  }
  get isDisposed(): boolean {
    return native.isDisposed(this.handle);
  }

  /** Releases the native memory now (idempotent). */
  dispose(): void {
    native.dispose(this.handle);
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.meta(this.handle)[3];
  }
  set requiresGrad(v: boolean) {
    native.setRequiresGrad(this.handle, v);
  }
  requiresGrad_(v = true): this {
    native.setRequiresGrad(this.handle, v);
    return this;
  }
  /** The accumulated gradient (a new handle on the same storage), or undefined. */
  get grad(): Tensor | undefined {
    const g = native.grad(this.handle);
    return g ? new Tensor(g) : undefined;
  }
  set grad(g: Tensor | undefined) {
    native.setGrad(this.handle, g?.handle);
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    native.backward(this.handle, gradient?.handle, options.retainGraph ?? false);
  }
  detach(): Tensor {
    return t1('detach', this);
  }

  // ---- data out ----
  /** A copy of the data as a typed array (bfloat16/float16 are converted to float32 first). */
  toArray(): AnyTypedArray {
    const d = this.dtype;
    if (d === 'bfloat16' || d === 'float16') {
      const f = this.to('float32');
      const out = f.toArray();
      f.dispose();
      return out;
    }
    const Ctor = typedArrayCtor(d);
    return new Ctor(native.toBuffer(this.handle, false));
  }
  /** Like toArray() but float32 typed. */
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return this.toArray() as Float32Array;
    const f = this.to('float32');
    const out = f.toArray() as Float32Array;
    f.dispose();
    return out;
  }
  /** Zero-copy view of the tensor's memory; valid while nothing writes to the tensor. */
  dataView(): AnyTypedArray {
    const Ctor = typedArrayCtor(this.dtype);
    return new Ctor(native.toBuffer(this.handle, true));
  }
  /** Nested JS arrays, for small tensors and debugging. */
  toList(): NestedNumbers {
    const flat = Array.from(this.toArray() as ArrayLike<number | bigint>, (v) =>
      typeof v === 'bigint' ? Number(v) : v,
    );
    const build = (dim: number, offset: number): NestedNumbers => {
      if (dim === this.ndim) return flat[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
  item(): number {
    return Number(native.item(this.handle));
  }
  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }

  // ---- conversion ----
  to(target: DType | Device | { dtype?: DType; device?: Device }): Tensor {
    const spec =
      typeof target === 'string'
        ? target in dtypeCode
          ? { dtype: target as DType }
          : { device: target as Device }
        : target;
    if (spec.device)
      return t1('to.device', this, checkDevice(spec.device), dtypeCode[spec.dtype ?? this.dtype], false, false);
    return t1('to.dtype', this, dtypeCode[spec.dtype!], false, false);
  }
  float(): Tensor {
    return this.to('float32');
  }
  long(): Tensor {
    return this.to('int64');
  }
  clone(): Tensor {
    return t1('clone', this);
  }
  contiguous(memoryFormat: 'contiguous' | 'channelsLast' | 'channelsLast3d' = 'contiguous'): Tensor {
    return t1('contiguous', this, memoryFormatCode[memoryFormat]);
  }
  isContiguous(memoryFormat: 'contiguous' | 'channelsLast' | 'channelsLast3d' = 'contiguous'): boolean {
    return native.isContiguous(this.handle, memoryFormatCode[memoryFormat]);
  }
  /** Element strides per dimension (channels-last tensors have stride 1 on the channel dim). */
  get strides(): number[] {
    return native.strides(this.handle);
  }

  // ---- arithmetic (broadcasting) ----
  add(other: Tensor | number, alpha = 1): Tensor {
    return other instanceof Tensor ? t1('add.Tensor', this, other, alpha) : t1('add.Scalar', this, other, alpha);
  }
  sub(other: Tensor | number, alpha = 1): Tensor {
    return other instanceof Tensor ? t1('sub.Tensor', this, other, alpha) : t1('sub.Scalar', this, other, alpha);
  }
  /** other - this */
  rsub(other: number): Tensor {
    return t1('rsub.Scalar', this, other, 1);
  }
  mul(other: Tensor | number): Tensor {
    return other instanceof Tensor ? t1('mul.Tensor', this, other) : t1('mul.Scalar', this, other);
  }
  div(other: Tensor | number): Tensor {
    return other instanceof Tensor ? t1('div.Tensor', this, other) : t1('div.Scalar', this, other);
  }
  pow(exponent: Tensor | number): Tensor {
    return exponent instanceof Tensor
      ? t1('pow.Tensor_Tensor', this, exponent)
      : t1('pow.Tensor_Scalar', this, exponent);
  }
  remainder(other: number): Tensor {
    return t1('remainder.Scalar', this, other);
  }
  maximum(other: Tensor): Tensor {
    return t1('maximum', this, other);
  }
  minimum(other: Tensor): Tensor {
    return t1('minimum', this, other);
  }
  neg(): Tensor {
    return t1('neg', this);
  }
  abs(): Tensor {
    return t1('abs', this);
  }
  exp(): Tensor {
    return t1('exp', this);
  }
  log(): Tensor {
    return t1('log', this);
  }
  log1p(): Tensor {
    return t1('log1p', this);
  }
  sqrt(): Tensor {
    return t1('sqrt', this);
  }
  rsqrt(): Tensor {
    return t1('rsqrt', this);
  }
  reciprocal(): Tensor {
    return t1('reciprocal', this);
  }
  square(): Tensor {
    return t1('square', this);
  }
  sin(): Tensor {
    return t1('sin', this);
  }
  cos(): Tensor {
    return t1('cos', this);
  }
  floor(): Tensor {
    return t1('floor', this);
  }
  ceil(): Tensor {
    return t1('ceil', this);
  }
  round(): Tensor {
    return t1('round', this);
  }
  sign(): Tensor {
    return t1('sign', this);
  }
  clamp(min?: number, max?: number): Tensor {
    return t1('clamp', this, min ?? null, max ?? null);
  }

  // ---- activations ----
  sigmoid(): Tensor {
    return t1('sigmoid', this);
  }
  tanh(): Tensor {
    return t1('tanh', this);
  }
  relu(): Tensor {
    return t1('relu', this);
  }
  leakyRelu(negativeSlope = 0.01): Tensor {
    return t1('leaky_relu', this, negativeSlope);
  }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return t1('gelu', this, approximate);
  }
  silu(): Tensor {
    return t1('silu', this);
  }
  softplus(beta = 1, threshold = 20): Tensor {
    return t1('softplus', this, beta, threshold);
  }
  elu(alpha = 1): Tensor {
    return t1('elu', this, alpha);
  }
  softmax(dim: number): Tensor {
    return t1('softmax.int', this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return t1('log_softmax.int', this, dim);
  }

  // ---- comparisons and selection ----
  eq(o: Tensor | number): Tensor {
    return o instanceof Tensor ? t1('eq.Tensor', this, o) : t1('eq.Scalar', this, o);
  }
  ne(o: Tensor | number): Tensor {
    return o instanceof Tensor ? t1('ne.Tensor', this, o) : t1('ne.Scalar', this, o);
  }
  gt(o: Tensor | number): Tensor {
    return o instanceof Tensor ? t1('gt.Tensor', this, o) : t1('gt.Scalar', this, o);
  }
  ge(o: Tensor | number): Tensor {
    return o instanceof Tensor ? t1('ge.Tensor', this, o) : t1('ge.Scalar', this, o);
  }
  lt(o: Tensor | number): Tensor {
    return o instanceof Tensor ? t1('lt.Tensor', this, o) : t1('lt.Scalar', this, o);
  }
  le(o: Tensor | number): Tensor {
    return o instanceof Tensor ? t1('le.Tensor', this, o) : t1('le.Scalar', this, o);
  }
  logicalNot(): Tensor {
    return t1('logical_not', this);
  }
  logicalAnd(o: Tensor): Tensor {
    return t1('logical_and', this, o);
  }
  logicalOr(o: Tensor): Tensor {
    return t1('logical_or', this, o);
  }
  /** where(cond) ? this : other */
  where(condition: Tensor, other: Tensor | number): Tensor {
    return other instanceof Tensor
      ? t1('where.self', condition, this, other)
      : t1('where.ScalarOther', condition, this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return t1('masked_fill.Scalar', this, mask, value);
  }
  isnan(): Tensor {
    return t1('isnan', this);
  }

  // ---- reductions ----
  sum(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? t1('sum', this) : t1('sum.dim_IntList', this, dims(dim), keepdim);
  }
  mean(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? t1('mean', this) : t1('mean.dim', this, dims(dim), keepdim);
  }
  prod(dim?: number, keepdim = false): Tensor {
    return dim === undefined ? t1('prod', this) : t1('prod.dim_int', this, dim, keepdim);
  }
  /** Maximum over everything, or over `dim` (values only; see maxWithIndices). */
  max(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? t1('max', this) : t1('amax', this, dims(dim), keepdim);
  }
  min(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? t1('min', this) : t1('amin', this, dims(dim), keepdim);
  }
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = aten('max.dim', this, dim, keepdim) as Tensor[];
    return { values, indices };
  }
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = aten('min.dim', this, dim, keepdim) as Tensor[];
    return { values, indices };
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return t1('argmax', this, dim ?? null, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return t1('argmin', this, dim ?? null, keepdim);
  }
  /** Variance; unbiased (Bessel's correction) by default as in PyTorch. */
  var(dim?: number | number[], options: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return t1(
      'var.dim',
      this,
      dim === undefined ? null : dims(dim),
      options.unbiased ?? true,
      options.keepdim ?? false,
    );
  }
  std(dim?: number | number[], options: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return t1(
      'std.dim',
      this,
      dim === undefined ? null : dims(dim),
      options.unbiased ?? true,
      options.keepdim ?? false,
    );
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return t1('logsumexp', this, dims(dim), keepdim);
  }
  norm(p = 2, dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? t1('norm.Scalar', this, p) : t1('norm.ScalarOpt_dim', this, p, dims(dim), keepdim);
  }
  all(): Tensor {
    return t1('all', this);
  }
  any(): Tensor {
    return t1('any', this);
  }
  cumsum(dim: number): Tensor {
    return t1('cumsum', this, dim);
  }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
    const [values, indices] = aten('topk', this, k, dim, largest, sorted) as Tensor[];
    return { values, indices };
  }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = aten('sort', this, dim, descending) as Tensor[];
    return { values, indices };
  }
  argsort(dim = -1, descending = false): Tensor {
    return t1('argsort', this, dim, descending);
  }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor {
    return t1('matmul', this, o);
  }
  mm(o: Tensor): Tensor {
    return t1('mm', this, o);
  }
  bmm(o: Tensor): Tensor {
    return t1('bmm', this, o);
  }
  t(): Tensor {
    return t1('t', this);
  }

  // ---- shape ----
  reshape(...shape: number[] | [number[]]): Tensor {
    return t1('reshape', this, flatArgs(shape));
  }
  view(...shape: number[] | [number[]]): Tensor {
    return t1('view', this, flatArgs(shape));
  }
  permute(...order: number[] | [number[]]): Tensor {
    return t1('permute', this, flatArgs(order));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return t1('transpose.int', this, dim0, dim1);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return t1('flatten.using_ints', this, startDim, endDim);
  }
  squeeze(dim?: number): Tensor {
    return dim === undefined ? t1('squeeze', this) : t1('squeeze.dim', this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return t1('unsqueeze', this, dim);
  }
  expand(...shape: number[] | [number[]]): Tensor {
    return t1('expand', this, flatArgs(shape), false);
  }
  expandAs(o: Tensor): Tensor {
    return t1('expand_as', this, o);
  }
  repeat(...repeats: number[] | [number[]]): Tensor {
    return t1('repeat', this, flatArgs(repeats));
  }
  /** Splits into pieces of `size` (a number) or of the given sizes (an array) along `dim`. */
  split(size: number | number[], dim = 0): Tensor[] {
    return Array.isArray(size) ? aten('split_with_sizes', this, size, dim) : aten('split.Tensor', this, size, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return aten('chunk', this, chunks, dim);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return t1('narrow', this, dim, start, length);
  }
  /** Python slicing along one dim: x[start:end:step]. */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return t1('slice.Tensor', this, dim, start ?? null, end ?? null, step);
  }
  select(dim: number, index: number): Tensor {
    return t1('select.int', this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return t1('index_select', this, dim, index);
  }
  /** Advanced indexing: x[i0, i1, ...] with index tensors (null for a full dimension). */
  index(indices: (Tensor | null)[]): Tensor {
    return t1('index.Tensor', this, indices);
  }
  gather(dim: number, index: Tensor): Tensor {
    return t1('gather', this, dim, index, false);
  }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return src instanceof Tensor
      ? t1('scatter.src', this, dim, index, src)
      : t1('scatter.value', this, dim, index, src);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return t1('scatter_add', this, dim, index, src);
  }
  flip(dims: number[]): Tensor {
    return t1('flip', this, dims);
  }
  roll(shifts: number | number[], dims: number | number[]): Tensor {
    return t1('roll', this, typeof shifts === 'number' ? [shifts] : shifts, typeof dims === 'number' ? [dims] : dims);
  }
  tril(diagonal = 0): Tensor {
    return t1('tril', this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return t1('triu', this, diagonal);
  }

  // ---- in place (optimizers, initialisation); return this ----
  #inPlace(name: string, ...args: Arg[]): this {
    native.dispose(native.callOp(findOp(name), [this.handle, ...args.map(toNativeArg)]) as TensorHandle);
    return this;
  }
  add_(other: Tensor | number, alpha = 1): this {
    return other instanceof Tensor
      ? this.#inPlace('add_.Tensor', other, alpha)
      : this.#inPlace('add_.Scalar', other, alpha);
  }
  sub_(other: Tensor | number, alpha = 1): this {
    return other instanceof Tensor
      ? this.#inPlace('sub_.Tensor', other, alpha)
      : this.#inPlace('sub_.Scalar', other, alpha);
  }
  mul_(other: Tensor | number): this {
    return other instanceof Tensor ? this.#inPlace('mul_.Tensor', other) : this.#inPlace('mul_.Scalar', other);
  }
  div_(other: Tensor | number): this {
    return other instanceof Tensor ? this.#inPlace('div_.Tensor', other) : this.#inPlace('div_.Scalar', other);
  }
  addcmul_(t1_: Tensor, t2: Tensor, value = 1): this {
    return this.#inPlace('addcmul_', t1_, t2, value);
  }
  addcdiv_(t1_: Tensor, t2: Tensor, value = 1): this {
    return this.#inPlace('addcdiv_', t1_, t2, value);
  }
  lerp_(end: Tensor, weight: number): this {
    return this.#inPlace('lerp_.Scalar', end, weight);
  }
  copy_(src: Tensor): this {
    return this.#inPlace('copy_', src, false);
  }
  zero_(): this {
    return this.#inPlace('zero_');
  }
  fill_(value: number): this {
    return this.#inPlace('fill_.Scalar', value);
  }
  clamp_(min?: number, max?: number): this {
    return this.#inPlace('clamp_', min ?? null, max ?? null);
  }
  uniform_(from = 0, to = 1): this {
    return this.#inPlace('uniform_', from, to, null);
  }
  normal_(mean = 0, std = 1): this {
    return this.#inPlace('normal_', mean, std, null);
  }
  bernoulli_(p: number): this {
    return this.#inPlace('bernoulli_.float', p, null);
  }
}

const memoryFormatCode = { contiguous: 0, channelsLast: 2, channelsLast3d: 3 } as const;

function dims(d: number | number[]): number[] {
  return typeof d === 'number' ? [d] : d;
}

function flatArgs(a: number[] | [number[]]): number[] {
  return Array.isArray(a[0]) ? (a[0] as number[]) : (a as number[]);
}

/** Wraps a typed array (copied) as a tensor of the given shape and dtype. */
export function tensorFromTypedArray(data: ArrayBufferView, shape: Shape, dtype: DType): Tensor {
  return new Tensor(native.fromBuffer(data, [...shape], dtypeCode[dtype]));
}
