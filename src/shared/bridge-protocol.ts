import type { CallResult, WorkbenchEvent } from './api';

/** What the browser-mode server sends: a call's result (id null when the call was unreadable) or an event. */
export type BridgeMessage = ({ type: 'result'; id: number | null } & CallResult) | { type: 'event'; event: WorkbenchEvent };

/** What the page sends. */
export interface BridgeCall {
  id: number;
  method: string;
  request: object;
}

export const BRIDGE_PATH = '/api';
export const MEDIA_PATH = '/media/';
