/**
 * Base of every network: a Module with a JSON-serialisable config (a checkpoint plus its config rebuilds the
 * model through createModel) and forwardWithAttention(), which returns the output and the attention the
 * network paid in that same forward pass: spatial maps resized to the input ('<module>.spatial',
 * [N, 1, *input spatial]) and channel weights ('<module>.channel', [N, C]) of every AttentionBlock inside.
 */
import { F, type Tensor } from '../tensor/index.js';
import { AttentionBlock, Module } from '../nn/index.js';

export interface AttentionResult<O = Tensor> {
  output: O;
  attention: Map<string, Tensor>;
}

export abstract class AttentionModel<C extends object = object> extends Module {
  /** Registry name, as in createModel(modelName, config). */
  abstract readonly modelName: string;
  abstract readonly config: C;
  abstract override forward(x: Tensor): Tensor;

  /** Output and attention maps from one forward pass. */
  forwardWithAttention(x: Tensor): AttentionResult {
    return captureAttention(this, x.shape.slice(2), () => this.forward(x));
  }

  /** { model, config }: what createModel needs to rebuild this network. */
  toJSON(): { model: string; config: C } {
    return { model: this.modelName, config: this.config };
  }
}

/** Resizes [N, 1, ...] maps to `size` (bi/trilinear; convex, so values stay in [0, 1]). */
export function resizeMap(map: Tensor, size: number[]): Tensor {
  if (map.shape.slice(2).join(',') === size.join(',')) return map.clone();
  const mode = size.length === 3 ? 'trilinear' : size.length === 2 ? 'bilinear' : 'linear';
  return F.interpolate(map, { size, mode });
}

/**
 * Turns capture on for every AttentionBlock in `model`, runs `run` once, and collects the recorded maps
 * (spatial maps resized to `inputSize`). Capture flags are restored afterwards.
 */
export function captureAttention<O>(model: Module, inputSize: number[], run: () => O): AttentionResult<O> {
  const blocks = [...model.namedModules()].filter((e): e is [string, AttentionBlock] => e[1] instanceof AttentionBlock);
  const previous = blocks.map(([, b]) => b.captureAttention);
  for (const [, b] of blocks) {
    b.clearAttention();
    b.captureAttention = true;
  }
  try {
    const output = run();
    const attention = new Map<string, Tensor>();
    for (const [name, b] of blocks) {
      const { spatial, channel } = b.attention;
      if (spatial) attention.set(`${name}.spatial`, resizeMap(spatial, inputSize));
      if (channel) attention.set(`${name}.channel`, channel.clone());
    }
    return { output, attention };
  } finally {
    blocks.forEach(([, b], i) => {
      b.clearAttention();
      b.captureAttention = previous[i];
    });
  }
}
