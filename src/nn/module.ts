/**
 * Module: the unit networks are built from (torch.nn.Module). It owns parameters, buffers and sub-modules
 * under dotted names identical to PyTorch's, so state dicts move between the two.
 */
import { UserError } from '../user-error.js';
import {
  aten,
  channelsLastFormat,
  isFloatingDType,
  keep,
  noGrad,
  tidy,
  Tensor,
  type Device,
  type DType,
} from '../tensor/index.js';

export class StateDictError extends UserError {}

export abstract class Module {
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  // Each layer narrows this (most to Tensor -> Tensor; recurrent ones return objects), and containers call it
  // on children they know only as Module: `unknown` here would need a cast at every such call.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  abstract forward(...inputs: any[]): any;

  /** Registers a trainable parameter (requires grad, survives tidy scopes). */
  protected param(name: string, value: Tensor): Tensor {
    keep(value);
    if (!value.requiresGrad) value.requiresGrad = true;
    this.#parameters.set(name, value);
    return value;
  }

  /** Registers state that is saved but not trained (running statistics, counters). */
  protected buffer(name: string, value: Tensor): Tensor {
    keep(value);
    this.#buffers.set(name, value);
    return value;
  }

  /**
   * Runs a block's forward in a scope of its own: what the block made and autograd did not save is freed when
   * the block returns, as PyTorch's refcounting frees it, not when the whole step's scope ends. Networks use it
   * for their repeated blocks; it lowers a step's peak memory (Attention U-Net page faults per step 123k ->
   * 71k, before freed memory was kept for reuse). Leaf layers skip it: a scope around one op costs more than it frees.
   */
  protected scoped<T>(body: () => T): T {
    return tidy(body);
  }

  /** Registers a sub-module under `name`. */
  protected module<M extends Module>(name: string, child: M): M {
    this.#children.set(name, child);
    return child;
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this.#children;
  }

  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.#children) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *namedParameters(prefix = ''): IterableIterator<[string, Tensor]> {
    for (const [name, p] of this.#parameters) yield [prefix ? `${prefix}.${name}` : name, p];
    for (const [name, child] of this.#children) yield* child.namedParameters(prefix ? `${prefix}.${name}` : name);
  }

  *namedBuffers(prefix = ''): IterableIterator<[string, Tensor]> {
    for (const [name, b] of this.#buffers) yield [prefix ? `${prefix}.${name}` : name, b];
    for (const [name, child] of this.#children) yield* child.namedBuffers(prefix ? `${prefix}.${name}` : name);
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Number of parameter elements (trainable only when asked). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.numel;
    return n;
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops accumulated gradients (set to undefined, as PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = undefined;
  }

  /** Parameters and buffers by dotted name, in registration order (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, m] of this.namedModules()) {
      for (const [k, p] of m.#parameters) out.set(name ? `${name}.${k}` : k, p);
      for (const [k, b] of m.#buffers) out.set(name ? `${name}.${k}` : k, b);
    }
    return out;
  }

  /**
   * Copies values into this module's parameters and buffers. Strict mode requires exactly the same names;
   * shapes must always match. Errors name the offending keys.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const source = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !source.has(k));
      const unexpected = [...source.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        const parts = [];
        if (missing.length)
          parts.push(
            `missing keys: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (+${missing.length - 5})` : ''}`,
          );
        if (unexpected.length)
          parts.push(
            `unexpected keys: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ` (+${unexpected.length - 5})` : ''}`,
          );
        throw new StateDictError(`loadStateDict: ${parts.join('; ')}`);
      }
    }
    for (const [k, target] of own) {
      const value = source.get(k);
      if (!value) continue;
      if (value.shape.join(',') !== target.shape.join(','))
        throw new StateDictError(
          `loadStateDict: '${k}' has shape [${value.shape}] in the checkpoint, [${target.shape}] in the model`,
        );
    }
    noGrad(() => {
      for (const [k, target] of own) {
        const value = source.get(k);
        if (value) target.copy_(value);
      }
    });
  }

  /** Moves or casts every parameter and buffer in place (fields keep pointing at the same tensors). */
  to(target: Device | DType): this {
    const isDevice = target === 'cpu' || target.startsWith('cuda');
    noGrad(() => {
      for (const t of [...this.stateDict().values()]) {
        if (!isDevice && !isFloatingDType(t.dtype)) continue; // integer buffers (counters) keep their dtype
        const moved = t.to(target as Device);
        aten('set_data', t, moved);
        moved.dispose();
      }
    });
    return this;
  }

  /**
   * Stores 4-D (5-D) weights in channels-last memory format (torch's model.to(memory_format=channels_last)),
   * which oneDNN convolutions prefer; feed inputs made with x.contiguous('channelsLast') too.
   */
  channelsLast(): this {
    noGrad(() => {
      for (const t of this.stateDict().values()) {
        const format = channelsLastFormat(t.ndim);
        if (!format) continue;
        const moved = t.contiguous(format);
        aten('set_data', t, moved);
        moved.dispose();
      }
    });
    return this;
  }

  /** Releases every parameter and buffer now. */
  dispose(): void {
    for (const t of this.stateDict().values()) t.dispose();
  }
}
