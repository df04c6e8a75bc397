/** Reading a saved report back: parsed and checked enough for the panel to render it. No `vscode` import. */
import type { Report } from '../core/model';

/** Parses and checks a saved report; throws one line naming what is wrong. */
export function parseReport(text: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const r = data as Partial<Report> | null;
  if (!r || typeof r !== 'object') throw new Error('not a JSON object');
  if (r.version !== 1) throw new Error(`unknown report version ${JSON.stringify(r.version)}`);
  if (!r.target || typeof r.target.name !== 'string' || typeof r.target.file !== 'string')
    throw new Error('no target');
  if (!Array.isArray(r.runs)) throw new Error('no runs');
  if (!Array.isArray(r.warnings)) throw new Error('no warnings list');
  return r as Report;
}
