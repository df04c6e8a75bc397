/** The shared counter per run: expected (calls made), observed (final value) and lost updates. */
import type { Report } from '../src/core/model';
import { h } from './dom';
import { formatCount } from './format';

/** The counter table, or a note when the function never touched the counter. */
export function counterView(report: Report): HTMLElement {
  const used = report.runs.some((r) => r.counter.expected !== 0 || r.counter.observed !== 0);
  if (!used) {
    return h('p', { className: 'muted', text: 'The function did not use the shared counter (parallel-profiler runtime).' });
  }
  const repeats = report.runs.some((r) => r.repeat > 0);
  return h('table', { className: 'counter' }, [
    h('thead', {}, [h('tr', {}, ['strategy', 'expected', 'observed', 'lost'].map((c, i) => h('th', { text: c, className: i ? 'num' : '' })))]),
    h(
      'tbody',
      {},
      report.runs.map((r) =>
        h('tr', { attrs: { 'data-strategy': r.strategy } }, [
          h('td', { text: r.strategy + (repeats ? ` #${r.repeat + 1}` : '') }),
          h('td', { className: 'num', text: formatCount(r.counter.expected) }),
          h('td', { className: 'num', text: formatCount(r.counter.observed) }),
          h('td', { className: r.counter.lost > 0 ? 'num bad' : 'num', text: formatCount(r.counter.lost) }),
        ]),
      ),
    ),
  ]);
}
