/**
 * Messages between the extension host and the profiling panel's webview. Shared by both sides:
 * no DOM and no Node APIs here.
 */
import type { Report, SourceLocation } from './model';

/** Extension host → webview. */
export type ToWebview =
  /** Show this report (replaces what is shown). */
  | { type: 'report'; report: Report }
  /** A profile is running: live counts per strategy. */
  | { type: 'progress'; target: string; lines: string[] }
  /** The theme changed: re-read colours. */
  | { type: 'theme' };

/** Webview → extension host. */
export type FromWebview =
  /** The webview is loaded and listening; the host posts nothing before this. */
  | { type: 'ready' }
  | { type: 'openLocation'; location: SourceLocation }
  | { type: 'exportTrace' }
  | { type: 'exportReport' }
  | { type: 'rerun' };

/** What the webview keeps with `setState`, so the panel survives a reload. */
export interface PanelState {
  report?: Report;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
