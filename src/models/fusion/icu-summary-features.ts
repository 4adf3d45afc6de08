/**
 * Per-variable summaries of a 48-hour ICU grid, computed inside the network from the grid's planes (the
 * statistics gradient boosting reads well: last, first, mean, min, max, how often and how recently measured).
 * Every reduction is masked so a variable never observed gives 0 in each value summary (and no NaN), its
 * `observed` flag 0 and `since_last` 1 (the grid counts from admission then).
 */
import { stack, type Tensor } from '../../tensor/index.js';

/** The summary vector of one variable, in this order. */
export const ICU_SUMMARY_FEATURES = [
  'last', // the value carried forward to the last hour (standardised)
  'first', // the first observed hour's value
  'mean', // mean over the observed hours (of each hour's mean)
  'min', // minimum over the observed hours
  'max', // maximum over the observed hours
  'log_count', // log(1 + number of observed hours)
  'since_last', // hours since the last observation at the end of the window / H (the grid's delta)
  'observed', // 1 if observed at least once
] as const;

/** Beyond any standardised value (the grid clips at ±6): unobserved hours never win a min or a max. */
export const SUMMARY_FAR = 1e4;

/** values, mask, delta [N, H, V] (splitIcuGrid) -> summaries [N, V, ICU_SUMMARY_FEATURES.length]. */
export function icuSummaryFeatures(values: Tensor, mask: Tensor, delta: Tensor): Tensor {
  const hours = values.size(1);
  const count = mask.sum(1); // [N, V]
  const observed = count.gt(0).float();
  const masked = values.mul(mask); // an unobserved hour contributes 0
  const firstHour = mask.mul(mask.cumsum(1).eq(1).float()); // 1 at the first observed hour only
  const far = mask.rsub(1).mul(SUMMARY_FAR);
  return stack(
    [
      values.select(1, hours - 1),
      masked.mul(firstHour).sum(1),
      masked.sum(1).div(count.clamp(1)),
      masked.add(far).min(1).mul(observed),
      masked.sub(far).max(1).mul(observed),
      count.log1p(),
      delta.select(1, hours - 1),
      observed,
    ],
    -1,
  );
}
