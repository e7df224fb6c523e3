export * from './plan.ts';
export { runLoad, renderTemplate, toLoadSummary, type LoadResult, type RunLoadOptions } from './engine.ts';
export { exportK6Script } from './k6-export.ts';
export { evaluateThresholds, assertThresholds, parseThreshold, parseThresholds } from './thresholds.ts';
export { Trend, Rate, Counter, MetricSet } from './metrics.ts';
