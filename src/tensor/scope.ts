/**
 * Deterministic release of native memory. `tidy(fn)` disposes every tensor created inside `fn` except those
 * it returns (searched in arrays and plain objects) and those marked with `keep()`. Tensors returned move to
 * the enclosing scope. Like tf.tidy, `fn` must be synchronous.
 *
 * Tensors made inside a scope are not reported to V8 as external memory: the scope frees them, and reporting
 * a training step's activations made V8 run a full mark-compact every batch or two (~15 ms each). Tensors
 * that leave the outermost scope (returned or kept) are reported then, so the GC still sees what it may
 * have to free.
 */
import { native } from './native.js';

export interface ScopedTensor {
  dispose(): void;
  readonly isDisposed: boolean;
  /** Reports the tensor's native bytes to V8 (once). */
  reportMemory?(): void;
}

const scopes: Set<ScopedTensor>[] = [];

/** Called by every new tensor: it belongs to the innermost open scope, if any. */
export function track(t: ScopedTensor): void {
  if (scopes.length) scopes[scopes.length - 1].add(t);
}

/** Removes a tensor from every open scope so that no tidy() disposes it (parameters, buffers, caches). */
export function keep<T extends ScopedTensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  if (scopes.length) t.reportMemory?.();
  return t;
}

function collect(value: unknown, out: Set<ScopedTensor>, depth = 0): void {
  if (value == null || depth > 4) return;
  if (typeof value === 'object' && 'dispose' in value && 'isDisposed' in value) {
    out.add(value as ScopedTensor);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, depth + 1);
  else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, out, depth + 1);
}

export function tidy<T>(fn: () => T): T {
  const scope = new Set<ScopedTensor>();
  const outermost = scopes.length === 0;
  const reporting = outermost ? native.setReportExternal(false) : false;
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    if (outermost) native.setReportExternal(reporting);
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (outermost) native.setReportExternal(reporting);
  if (result instanceof Promise) throw new Error('medattn: tidy() takes a synchronous function');
  const returned = new Set<ScopedTensor>();
  collect(result, returned);
  for (const t of scope) if (!returned.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of returned) if (scope.has(t)) parent.add(t);
  if (outermost && reporting) for (const t of returned) if (scope.has(t)) t.reportMemory?.();
  return result;
}

/** Runs `fn` without recording autograd history (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const previous = native.gradEnabled();
  native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs `fn` with autograd recording on, even inside noGrad (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  const previous = native.gradEnabled();
  native.setGradEnabled(true);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Number of native tensors alive right now: the memory-leak probe for tests. */
export function liveTensors(): number {
  return native.liveTensors();
}
