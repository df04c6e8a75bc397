/** What the panel shows while a profile runs: the target and live counts per strategy. */
import { h } from './dom';

/** A "Profiling …" card with one line per strategy. */
export function progressView(target: string, lines: string[]): HTMLElement {
  return h('section', { className: 'card progress', attrs: { id: 'progress', 'aria-live': 'polite' } }, [
    h('h2', {}, ['Profiling ', h('code', { text: target }), '…']),
    h('pre', { className: 'progress-lines', text: lines.join('\n') }),
  ]);
}
