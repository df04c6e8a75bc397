/** The warnings list: kind, strategy, message, details; the location opens the source at file:line. */
import type { Report, SourceLocation } from '../src/core/model';
import { h } from './dom';
import { baseName } from './format';

/** Builds the list; `onOpen` is called with a warning's location when its link is clicked. */
export function warningsList(report: Report, onOpen: (location: SourceLocation) => void): HTMLElement {
  if (report.warnings.length === 0) return h('p', { className: 'muted', text: 'No warnings.' });
  return h(
    'ul',
    { className: 'warnings' },
    report.warnings.map((w) => {
      let link: HTMLElement | null = null;
      if (w.location) {
        const location = w.location;
        link = h('a', {
          className: 'location',
          text: `${baseName(location.file)}:${location.line}`,
          title: `Open ${location.file}:${location.line}`,
          attrs: { href: '#', role: 'button' },
        });
        link.addEventListener('click', (e) => {
          e.preventDefault();
          onOpen({ file: location.file, line: location.line });
        });
      }
      const details = w.details?.length ? h('pre', { className: 'details', text: w.details.join('\n') }) : null;
      return h('li', { className: `warning kind-${w.kind}`, attrs: { 'data-kind': w.kind } }, [
        h('div', { className: 'warning-head' }, [
          h('span', { className: 'badge', text: w.kind }),
          w.strategy ? h('span', { className: 'muted', text: w.strategy }) : null,
          w.seenIn ? h('span', { className: 'muted', text: `in ${w.seenIn.repeats} of ${w.seenIn.of} repeats` }) : null,
          link,
        ]),
        h('div', { className: 'message', text: w.message }),
        details,
      ]);
    }),
  );
}
