import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A target a figure must stay at or under (ms, bytes, …): `metric` names a key of the summary it is read from. */
export interface UpperBound<Metric extends string> {
  metric: Metric;
  comparison: '<=';
  threshold: number;
}

/** Each target with the summary's value for it and whether it passed. */
export function checkUpperBounds<Metric extends string>(targets: readonly UpperBound<Metric>[], summary: Record<Metric, number>) {
  return targets.map((target) => ({ ...target, value: summary[target.metric], pass: summary[target.metric] <= target.threshold }));
}

/** Prints a benchmark's JSON report on stdout and writes it to `bench-results/<name>.json` (relative to the cwd). */
export async function writeBenchReport(name: string, report: unknown): Promise<void> {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(json);
  await mkdir('bench-results', { recursive: true });
  await writeFile(join('bench-results', `${name}.json`), json);
}
