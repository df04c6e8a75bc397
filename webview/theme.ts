/**
 * Colours for the canvases and the chart, read from the theme's CSS variables (`--vscode-*`), so
 * the panel follows light, dark and high-contrast themes. Re-read whenever the theme changes.
 */
import type { StrategyName, TaskStatus } from '../src/core/model';

/** Every colour the canvas drawings use, resolved to concrete CSS colour strings. */
export interface Palette {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  font: string;
  status: Record<TaskStatus, string>;
  startup: string;
  lockWait: string;
  straggler: string;
  ideal: string;
  strategy: Record<StrategyName, string>;
}

/** Which theme variable each status is drawn with; the legend and the canvas share it. */
export const STATUS_VARS: Record<TaskStatus, string> = {
  ok: '--vscode-charts-blue',
  error: '--vscode-charts-red',
  timeout: '--vscode-charts-orange',
  crashed: '--vscode-charts-purple',
  cancelled: '--vscode-charts-lines',
  deadlocked: '--vscode-charts-yellow',
};

/** Theme variables of the timeline's other marks. */
export const MARK_VARS = {
  startup: '--vscode-charts-green',
  lockWait: '--vscode-charts-yellow',
  straggler: '--vscode-charts-foreground',
} as const;

/** Reads the current palette from the document's computed style. */
export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const bodyStyle = getComputedStyle(document.body);
  const fallback = bodyStyle.color || style.color;
  const v = (name: string, ...more: string[]): string => {
    for (const n of [name, ...more]) {
      const value = style.getPropertyValue(n).trim();
      if (value) return value;
    }
    return fallback;
  };
  const status = {} as Record<TaskStatus, string>;
  for (const [s, name] of Object.entries(STATUS_VARS) as [TaskStatus, string][]) {
    status[s] = v(name, '--vscode-foreground');
  }
  const family = v('--vscode-font-family') || 'sans-serif';
  const size = v('--vscode-font-size') || '13px';
  return {
    foreground: v('--vscode-foreground', '--vscode-editor-foreground'),
    muted: v('--vscode-descriptionForeground', '--vscode-foreground'),
    background: v('--vscode-editor-background', '--vscode-sideBar-background'),
    grid: v('--vscode-charts-lines', '--vscode-panel-border', '--vscode-foreground'),
    font: `${parseFloat(size) - 1 || 12}px ${family}`,
    status,
    startup: v(MARK_VARS.startup, '--vscode-foreground'),
    lockWait: v(MARK_VARS.lockWait, '--vscode-foreground'),
    straggler: v(MARK_VARS.straggler, '--vscode-foreground'),
    ideal: v('--vscode-charts-lines', '--vscode-descriptionForeground'),
    strategy: {
      sequential: v('--vscode-charts-foreground', '--vscode-foreground'),
      threads: v('--vscode-charts-blue', '--vscode-foreground'),
      processes: v('--vscode-charts-green', '--vscode-foreground'),
    },
  };
}

/**
 * Calls `onChange` when VS Code switches theme: it swaps the body's `vscode-light/dark/high-contrast`
 * class (and the `theme` message from the host says the same). Returns a function that stops it.
 */
export function watchTheme(onChange: () => void): () => void {
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  // The variables live in the root element's style; a switch between two dark themes changes only them.
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
