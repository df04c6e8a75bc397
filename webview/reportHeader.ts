/** The top of the panel: which function, which inputs, on what machine, and the verdict. */
import type { Report } from '../src/core/model';
import { h } from './dom';
import { formatCount } from './format';

/** Title, target details, a cancelled banner when partial, and the one-sentence verdict. */
export function reportHeader(report: Report): HTMLElement {
  const { target, machine, inputs } = report;
  const created = new Date(report.createdAt);
  const when = Number.isNaN(created.getTime()) ? report.createdAt : created.toLocaleString();
  return h('header', { className: 'report-header' }, [
    h('h1', {}, [h('span', { className: 'fn', text: target.name }), h('span', { className: 'muted lang', text: target.language })]),
    h('div', { className: 'muted target-file', text: target.file, title: target.file }),
    h('dl', { className: 'facts' }, [
      h('dt', { text: 'inputs' }),
      h('dd', {}, [h('code', { className: 'inputs', text: inputs.expression }), ` · ${formatCount(inputs.count)} tasks${inputs.spread ? ' (spread)' : ''}`]),
      h('dt', { text: 'machine' }),
      h('dd', {
        text: `${machine.cpus} CPUs · ${machine.platform} · ${machine.runtime}${machine.gil === true ? ' · GIL on' : machine.gil === false ? ' · GIL off' : ''}`,
      }),
      h('dt', { text: 'profiled' }),
      h('dd', { text: when }),
    ]),
    report.cancelled ? h('div', { className: 'banner', text: 'Cancelled: this report is partial.' }) : null,
    h('p', { className: 'verdict', text: report.verdict }),
  ]);
}
