/** The handle VS Code gives a webview page; typed with our message shapes. */
import type { ArchName } from '../../src/core/arch/arches';
import type { PanelToHost } from '../../src/core/protocol/layout';
import type { Viewport } from './strip';

/** What the page keeps across being hidden and shown (VS Code's getState/setState): the one state type. */
export interface PanelState {
  arch?: ArchName;
  /** Zoom and pan of each strip, by range name. */
  views?: Record<string, Viewport>;
}

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called only once per page. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();
