/**
 * The webview's handle on VS Code, typed by direction: messages it may post, the state it keeps.
 * `acquireVsCodeApi` may be called only once per page, so this module holds the one instance.
 */
import type { FromWebview, PanelState } from '../src/core/webviewProtocol';

declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

/** Typed wrapper over the page's VS Code API. */
export interface HostApi {
  postMessage(message: FromWebview): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

const api = acquireVsCodeApi();

/** The single host API of this page. */
export const host: HostApi = {
  postMessage: (message) => api.postMessage(message),
  getState: () => (api.getState() ?? undefined) as PanelState | undefined,
  setState: (state) => api.setState(state),
};
