// What the page and its socket worker (socket-worker.ts) tell each other.

/** From the page: open the socket (once), or send a call. */
export type SocketOrder = { type: 'open'; url: string } | { type: 'send'; text: string };

/** From the worker: the socket opened or closed, or a message came (binary frames as their buffer). */
export type SocketMessage = { type: 'open' } | { type: 'close' } | { type: 'message'; data: string | ArrayBuffer };
