// Evaluation metrics: pure functions plus MONAI-style accumulating classes (update / compute / reset).
export { MetricInputError } from './metric-input-error.ts';
export type { Average, ClassificationOptions } from './classification-input.ts';
export { confusionMatrix, confusionMatrixFromPredictions, ConfusionMatrixMetric } from './confusion-matrix.ts';
export { classCounts, type ClassCounts } from './class-counts.ts';
export { CumulativeClassificationMetric } from './cumulative.ts';
export { accuracy, AccuracyMetric } from './accuracy.ts';
export { balancedAccuracy, BalancedAccuracyMetric } from './balanced-accuracy.ts';
export { precision, PrecisionMetric } from './precision.ts';
export { recall, RecallMetric } from './recall.ts';
export { specificity, SpecificityMetric } from './specificity.ts';
export { f1Score, F1Metric } from './f1.ts';
export { binaryCurve, type BinaryCurve } from './binary-curve.ts';
export { rocCurve, type RocCurve } from './roc.ts';
export { auroc, binaryAuroc, AurocMetric } from './auroc.ts';
export { averagePrecision, binaryAveragePrecision, AveragePrecisionMetric } from './average-precision.ts';
export { expectedCalibrationError, CalibrationErrorMetric, type CalibrationOptions } from './calibration.ts';
export { selectThreshold, type ThresholdChoice, type ThresholdCriterion } from './threshold.ts';
export {
  classificationReport,
  type ClassificationReport,
  type ClassificationReportOptions,
} from './classification-report.ts';
export type { Mask, SegmentationOptions } from './segmentation-input.ts';
export { PerImageMetric } from './per-image-metric.ts';
export { euclideanDistanceTransform } from './distance-transform.ts';
export { dice, DiceMetric } from './dice.ts';
export { iou, IouMetric } from './iou.ts';
export { pixelAuroc, PixelAurocMetric } from './pixel-auroc.ts';
export {
  hausdorffDistance,
  hausdorffDistance95,
  maskBoundary,
  HausdorffDistanceMetric,
  type HausdorffOptions,
} from './hausdorff.ts';
export {
  segmentationReport,
  type SegmentationReport,
  type SegmentationReportOptions,
  type SegmentationSample,
} from './segmentation-report.ts';
