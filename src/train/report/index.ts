export {
  computeClassificationMetrics,
  binaryCurves,
  type ClassificationMetrics,
  type ClassMetrics,
  type AverageMetrics,
  type RocCurve,
  type PrCurve,
  type BinaryCurves,
  type MetricsOptions,
} from './metrics.js';
export { writeReport, type ReportFiles } from './report.js';
export { renderReportHtml } from './html.js';
export { renderReportMarkdown } from './markdown.js';
export { renderConfusionPixels, renderConfusionPng, confusionCellSize } from './confusion-image.js';
export type { EpochRecord, ReportImage, MisclassifiedExample, ReportInput } from './types.js';
