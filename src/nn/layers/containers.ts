import { type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

/** Children named '0', '1', ... applied in order (torch.nn.Sequential). */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers.map((m, i) => this.module(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }
}

/** A list of sub-modules named by index (torch.nn.ModuleList); it has no forward of its own. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];
  constructor(modules: M[] = []) {
    super();
    for (const m of modules) this.push(m);
  }
  push(m: M): this {
    this.items.push(this.module(String(this.items.length), m));
    return this;
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    return this.items[i];
  }
  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new Error('ModuleList has no forward(); iterate over its items');
  }
}

/** Sub-modules by name (torch.nn.ModuleDict). */
export class ModuleDict<M extends Module = Module> extends Module {
  readonly entries = new Map<string, M>();
  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  set(name: string, m: M): this {
    this.entries.set(name, this.module(name, m));
    return this;
  }
  get(name: string): M {
    const m = this.entries.get(name);
    if (!m) throw new Error(`ModuleDict: no module named '${name}'`);
    return m;
  }
  forward(): never {
    throw new Error('ModuleDict has no forward(); get a module by name');
  }
}
