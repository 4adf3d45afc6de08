// Evaluation metrics: pure functions plus MONAI-style accumulating classes (update / compute / reset).
export { MetricInputError } from './metric-input-error.js';
export type { Average, ClassificationOptions } from './classification-input.js';
export { confusionMatrix, confusionMatrixFromPredictions, ConfusionMatrixMetric } from './confusion-matrix.js';
export { classCounts, type ClassCounts } from './class-counts.js';
export { CumulativeClassificationMetric } from './cumulative.js';
export { accuracy, AccuracyMetric } from './accuracy.js';
export { balancedAccuracy, BalancedAccuracyMetric } from './balanced-accuracy.js';
export { precision, PrecisionMetric } from './precision.js';
export { recall, RecallMetric } from './recall.js';
export { specificity, SpecificityMetric } from './specificity.js';
export { f1Score, F1Metric } from './f1.js';
export { binaryCurve, type BinaryCurve } from './binary-curve.js';
export { rocCurve, type RocCurve } from './roc.js';
export { auroc, binaryAuroc, AurocMetric } from './auroc.js';
export { averagePrecision, binaryAveragePrecision, AveragePrecisionMetric } from './average-precision.js';
export { expectedCalibrationError, CalibrationErrorMetric, type CalibrationOptions } from './calibration.js';
export { selectThreshold, type ThresholdChoice, type ThresholdCriterion } from './threshold.js';
export {
  classificationReport,
  type ClassificationReport,
  type ClassificationReportOptions,
} from './classification-report.js';
export type { Mask, SegmentationOptions } from './segmentation-input.js';
export { PerImageMetric } from './per-image-metric.js';
export { euclideanDistanceTransform } from './distance-transform.js';
export { dice, DiceMetric } from './dice.js';
export { iou, IouMetric } from './iou.js';
export { pixelAuroc, PixelAurocMetric } from './pixel-auroc.js';
export {
  hausdorffDistance,
  hausdorffDistance95,
  maskBoundary,
  HausdorffDistanceMetric,
  type HausdorffOptions,
} from './hausdorff.js';
export {
  segmentationReport,
  type SegmentationReport,
  type SegmentationReportOptions,
  type SegmentationSample,
} from './segmentation-report.js';
export {
  detectionMap,
  DetectionMap,
  IOU_THRESHOLDS,
  RECALL_THRESHOLDS,
  AREA_RANGES,
  type DetectionBox,
  type DetectionImage,
  type DetectionMapOptions,
  type DetectionMapResult,
  type ClassDetectionResult,
} from './detection-map.js';
export { attentionMass, type AttentionMass } from './attention-mass.js';
export { pairedDifference, studentTQuantile, type PairedDifference } from './paired-difference.js';
