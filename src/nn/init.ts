/**
 * Weight initialisation identical to torch.nn.init (same formulas, same order of random draws), so that a
 * seeded medattn model starts from the very weights the seeded PyTorch model does.
 */
import { aten, noGrad, type Tensor } from '../tensor/index.js';

/** fan_in and fan_out of a weight [out, in, *kernel] (torch.nn.init._calculate_fan_in_and_fan_out). */
export function fans(w: Tensor): { fanIn: number; fanOut: number } {
  const s = w.shape;
  if (s.length < 2) throw new Error(`init: fan in/out needs a tensor with at least 2 dims, got [${s}]`);
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: s[1] * receptive, fanOut: s[0] * receptive };
}

export type Nonlinearity = 'linear' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';

export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
  }
}

export function uniform_(w: Tensor, low: number, high: number): Tensor {
  return noGrad(() => w.uniform_(low, high));
}
export function normal_(w: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => w.normal_(mean, std));
}
export function constant_(w: Tensor, value: number): Tensor {
  return noGrad(() => w.fill_(value));
}
export function zeros_(w: Tensor): Tensor {
  return constant_(w, 0);
}
export function ones_(w: Tensor): Tensor {
  return constant_(w, 1);
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}
export function kaimingUniform_(w: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(w);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  const bound = Math.sqrt(3) * (gain / Math.sqrt(o.mode === 'fan_out' ? fanOut : fanIn));
  return uniform_(w, -bound, bound);
}
export function kaimingNormal_(w: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(w);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return normal_(w, 0, gain / Math.sqrt(o.mode === 'fan_out' ? fanOut : fanIn));
}
export function xavierUniform_(w: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(w);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(w, -a, a);
}
export function xavierNormal_(w: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(w);
  return normal_(w, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
/** Truncated normal in [a, b] by inverse CDF, as torch.nn.init.trunc_normal_ (used by ViT). */
export function truncNormal_(w: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  return noGrad(() => {
    const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
    const l = cdf((a - mean) / std);
    const u = cdf((b - mean) / std);
    w.uniform_(2 * l - 1, 2 * u - 1);
    const e: Tensor = aten('erfinv', w);
    w.copy_(e);
    e.dispose();
    w.mul_(std * Math.SQRT2)
      .add_(mean)
      .clamp_(a, b);
    return w;
  });
}

function erf(x: number): number {
  // Numerical Recipes' Chebyshev fit of erfc (relative error < 1.2e-7): enough for truncation bounds.
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t *
                    (0.09678418 +
                      t *
                        (-0.18628806 +
                          t *
                            (0.27886807 +
                              t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
}
