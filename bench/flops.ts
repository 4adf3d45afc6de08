/** Shared benchmark helpers: timing and the FLOP count of the reference model. */

/** Median wall time in ms of `fn` over `reps` runs after `warmup` warm-up runs. */
export function medianMs(fn: () => void, reps: number, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Multiply-add FLOPs (2 per MAC) of the reference CNN's convolutions, linear layers and non-local matmuls;
 * training counts 3x forward (forward + grad wrt input + grad wrt weights), the usual convention.
 */
export function referenceCnnFlops(batch: number, size: number): { forward: number; train: number } {
  let f = 0;
  const conv = (cin: number, cout: number, k: number, hw: number) => 2 * cin * cout * k * k * hw * hw;
  let hw = size;
  f += conv(1, 32, 3, hw); // stage 1 conv
  hw /= 2;
  f += conv(64 / 2, 64, 3, hw); // stage 2 conv (32 -> 64)
  f += conv(2, 1, 7, hw); // CBAM spatial conv
  hw /= 2;
  f += conv(64, 128, 3, hw); // stage 3 conv
  const p = hw * hw;
  f += (4 * conv(128, 64, 1, hw)) / 1; // theta, phi, g (128->64) and out (64->128): same MACs each
  f += 2 * 2 * p * p * 64; // QK^T and weights @ V
  f *= batch;
  return { forward: f, train: 3 * f };
}
