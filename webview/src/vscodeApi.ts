/** The handle VS Code gives a webview page; typed with our message shapes. */
import type { PanelToHost } from '../../src/core/protocol/layout';

export interface PanelState {
  arch?: string;
}

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called only once per page. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
