/**
 * A shape check of a report before rendering, so a broken or foreign JSON file opened as a report
 * gets one line naming what is wrong instead of a half-drawn panel.
 */
import type { Report } from '../src/core/model';

/** Why `value` is not a renderable report, or undefined when it is. */
export function reportProblem(value: unknown): string | undefined {
  const r = value as Partial<Report> | null;
  if (!r || typeof r !== 'object') return 'it is not an object';
  if (r.version !== 1) return `version ${JSON.stringify(r.version)} is not supported (expected 1)`;
  if (!r.target || typeof r.target.name !== 'string') return 'target.name is missing';
  if (!Array.isArray(r.runs)) return 'runs is missing';
  if (!Array.isArray(r.warnings)) return 'warnings is missing';
  if (!r.inputs || !r.machine) return 'inputs or machine is missing';
  for (const [i, run] of r.runs.entries()) {
    if (!run || !Array.isArray(run.tasks) || !Array.isArray(run.lanes) || !Array.isArray(run.locks)) {
      return `runs[${i}] lacks tasks, lanes or locks`;
    }
    if (!run.counter || !run.metrics) return `runs[${i}] lacks counter or metrics`;
  }
  return undefined;
}
