/**
 * The `/ws` WebSocket echo of echo-basic: every frame the client sends comes back unchanged,
 * text as text and binary as binary, until the client closes.
 *
 * Upstream serves it with `golang.org/x/net/websocket`, whose handshake refuses requests without
 * an `Origin` header (403); that is kept, since a gateway must pass the header through.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { remoteAddr, type EchoPod } from './shared.js';

export interface WebSocketEcho {
  /** Completes the handshake on `socket` (an `upgrade` event's arguments) and echoes frames. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export function createWebSocketEcho(pod: EchoPod): WebSocketEcho {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    pod.log.append(`established websocket connection ${remoteAddr(req.socket)}`);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });
  return {
    handleUpgrade(req, socket, head) {
      if (req.headers.origin === undefined) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
