/**
 * What the calls shared, per run: the runtime's counter (expected = calls made, observed = final
 * value, lost updates), and the user's own shared numbers (Python Values and globals, JS module
 * variables; how much each run changed them, per worker's copy where each had its own, and what
 * was lost against the sequential run).
 */
import type { Report, Run } from '../src/core/model';
import { h } from './dom';
import { amountText as amount, measureOf } from '../src/core/warnings';
import { baseName, formatCount } from './format';

/** The section's title: what it shows. */
export function sharedTitle(report: Report): string {
  const counter = counterUsed(report);
  if (sharedNames(report).length === 0) return 'Shared counter';
  return counter ? 'Shared counter and values' : 'Shared values';
}

/** The counter table and a table per shared value, or a note when the calls shared neither. */
export function counterView(report: Report): HTMLElement {
  const names = sharedNames(report);
  if (!counterUsed(report) && names.length === 0) {
    return h('p', { className: 'muted', text: 'The function did not use the shared counter (parallel-profiler runtime).' });
  }
  const tables = names.map((name) => valueTable(report, name));
  return h('div', {}, counterUsed(report) ? [counterTable(report), ...tables] : tables);
}

const counterUsed = (report: Report) => report.runs.some((r) => r.counter.expected !== 0 || r.counter.observed !== 0);
/** The user's shared numbers that some run changed (one no call touched is not worth a table). */
const sharedNames = (report: Report) => [...new Set(report.runs.flatMap((r) => (r.sharedValues ?? []).filter((v) => v.change !== 0).map((v) => v.name)))];
const runName = (report: Report, run: Run) => run.strategy + (report.runs.some((r) => r.repeat > 0) ? ` #${run.repeat + 1}` : '');
const head = (columns: string[]) => h('thead', {}, [h('tr', {}, columns.map((c, i) => h('th', { text: c, className: i ? 'num' : '' })))]);

function counterTable(report: Report): HTMLElement {
  return h('table', { className: 'counter' }, [
    head(['strategy', 'expected', 'observed', 'lost']),
    h(
      'tbody',
      {},
      report.runs.map((r) =>
        h('tr', { attrs: { 'data-strategy': r.strategy } }, [
          h('td', { text: runName(report, r) }),
          h('td', { className: 'num', text: formatCount(r.counter.expected) }),
          h('td', { className: 'num', text: formatCount(r.counter.observed) }),
          h('td', { className: r.counter.lost > 0 ? 'num bad' : 'num', text: formatCount(r.counter.lost) }),
        ]),
      ),
    ),
  ]);
}

/** One of the user's shared numbers: how much each run changed it, and what it lost. */
function valueTable(report: Report, name: string): HTMLElement {
  const first = report.runs.flatMap((r) => r.sharedValues ?? []).find((v) => v.name === name);
  const where = first?.location ? ` (${baseName(first.location.file)}:${first.location.line})` : '';
  const rows = report.runs.flatMap((run) => {
    const value = run.sharedValues?.find((v) => v.name === name);
    if (!value) return [];
    const lost = value.ownCopies
      ? h('td', { className: 'num', text: 'own copies', title: value.copies ? 'each worker loaded a copy of the module of its own' : 'each worker process updated a copy of its own' })
      : h('td', { className: value.lost ? 'num bad' : 'num', text: amount(value.lost ?? 0) });
    // A JS pool's workers each had a copy of the module: what each copy saw.
    const changed = value.copies
      ? h('td', { className: 'num', text: value.copies.map(amount).join(' · '), title: `in each worker's copy (${value.copies.length})` })
      : h('td', { className: 'num', text: amount(value.change) });
    return [h('tr', { attrs: { 'data-strategy': run.strategy } }, [h('td', { text: runName(report, run) }), changed, lost])];
  });
  return h('table', { className: 'shared-value', attrs: { 'data-name': name } }, [
    h('caption', { text: `${name}${where}: how much each run changed ${measureOf(first?.kind ?? 'value')}` }),
    head(['strategy', 'changed by', 'lost']),
    h('tbody', {}, rows),
  ]);
}
