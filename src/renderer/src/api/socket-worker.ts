// The browser-mode WebSocket, held by a worker. On the page's own thread, Chromium reads a message in
// small steps between the page's other tasks: while a long video buffers, an hour of boxes (6 MB) took a
// second to arrive. Here it is read at once and handed to the page whole, without a copy.

import type { SocketMessage, SocketOrder } from './socket-messages';

let socket: WebSocket | null = null;
const tell = (message: SocketMessage, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.addEventListener('message', (event: MessageEvent<SocketOrder>) => {
  const order = event.data;
  if (order.type === 'send') {
    socket?.send(order.text);
    return;
  }
  socket = new WebSocket(order.url);
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('open', () => tell({ type: 'open' }));
  socket.addEventListener('close', () => tell({ type: 'close' }));
  socket.addEventListener('message', ({ data }: MessageEvent<string | ArrayBuffer>) => tell({ type: 'message', data }, typeof data === 'string' ? [] : [data]));
});
