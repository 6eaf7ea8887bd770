import type { ApiMethod } from './api';

/** The Electron IPC channel of each API method, and of the core's events. */
export const methodChannel = (method: ApiMethod): string => `maskbench:${method}`;
export const EVENT_CHANNEL = 'maskbench:event';
