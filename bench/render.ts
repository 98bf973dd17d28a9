/**
 * Renders BENCHMARKS.md and the charts again from bench/results/latest.json, measuring nothing
 * (`npm run bench:render`): for a change to how the report shows the figures.
 */
import { readFileSync } from 'node:fs';
import { type BenchReport, renderReport } from './renderReport.ts';

const results = new URL('./results/', import.meta.url);
const report = JSON.parse(readFileSync(new URL('latest.json', results), 'utf8')) as BenchReport;
renderReport(report, new URL('../BENCHMARKS.md', import.meta.url), results);
process.stdout.write(`rendered BENCHMARKS.md from the run of ${report.date}\n`);
