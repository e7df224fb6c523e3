export * from './model.ts';
export { renderJUnit, findingBody } from './junit.ts';
export { renderReportJson, buildReportJson, stableView, runKeyOf, REPORT_SCHEMA_VERSION } from './json.ts';
export { renderSummary } from './summary.ts';
export { writeReports, type WrittenReports } from './write.ts';
export { Redactor, redactor, registerSecret, redact, maskSecret } from './redact.ts';
export { progress, setProgressSink } from './progress.ts';
export { parseXml, escapeXml, type XmlElement } from './xml.ts';
