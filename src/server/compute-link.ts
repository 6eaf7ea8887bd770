// Browser mode's way to the compute page: a WebSocket at COMPUTE_PATH carrying shared/compute.ts's
// frames, binary, between the page and core's ComputeHosts.

import type { WebSocketServer } from 'ws';
import type { ComputeHosts } from '../core/compute/compute-hosts';

/** A trained ResNet-50's weights are about 100 MB; its model message must get through. */
export const MAX_COMPUTE_MESSAGE_BYTES = 512 * 1024 * 1024;

export function setupComputeLink(wss: WebSocketServer, hosts: ComputeHosts): void {
  wss.on('connection', (socket) => {
    const link = hosts.connect({
      send: (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(frame);
      },
      // 1011: the server ends the connection because of a fault on the other side.
      close: (reason) => socket.close(1011, reason.slice(0, 120)),
    });
    socket.on('error', (error) => console.warn(`Closed a compute page's connection: ${error.message}`));
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return socket.close(1003, 'The compute link carries binary frames only');
      link.receive(new Uint8Array(Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data as ArrayBuffer)])));
    });
    socket.on('close', (code, reason) => link.closed(reason.length ? reason.toString() : `its connection closed, code ${code}`));
  });
}
