/** The packed ICU grid [N, 3, H + 1, V] (src/data/icu/icu-grid.ts) split into the tensors models use. */
import type { Tensor } from '../../tensor/index.js';

export interface IcuGridTensors {
  /** [N, H, V] standardised values carried forward. */
  values: Tensor;
  /** [N, H, V] 1 where observed in that hour. */
  mask: Tensor;
  /** [N, H, V] hours since last observation / H. */
  delta: Tensor;
  /** [N, F] static features and [N, F] 1 = recorded (F = numStatics). */
  statics: Tensor;
  staticMask: Tensor;
}

export function splitIcuGrid(x: Tensor, numStatics: number): IcuGridTensors {
  if (x.ndim !== 4 || x.size(1) !== 3)
    throw new Error(`ICU model: expected the packed grid [N, 3, H + 1, V], got [${x.shape}]`);
  const hours = x.size(2) - 1;
  const series = x.narrow(2, 0, hours);
  const row = x.select(2, hours).narrow(2, 0, numStatics); // [N, 3, F]
  return {
    values: series.select(1, 0),
    mask: series.select(1, 1),
    delta: series.select(1, 2),
    statics: row.select(1, 0),
    staticMask: row.select(1, 1),
  };
}
