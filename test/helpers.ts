import net from 'node:net';
import { fixtureSchema, type ProxyScript } from '../harness/cases/schema';

/** A proxy script from terse steps, with the schema's defaults filled in. */
export function script(exchanges: unknown[], extra: Record<string, unknown> = {}): ProxyScript {
  return fixtureSchema.shape.proxy.parse({ exchanges, ...extra });
}

/** A raw TCP client that collects everything it receives and how the connection ended. */
export class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  ended: 'fin' | 'rst' | undefined;
  private closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
    this.socket.on('end', () => (this.ended ??= 'fin'));
    this.socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') this.ended = 'rst';
    });
    this.closed = new Promise((r) => this.socket.on('close', () => r()));
  }

  ready(): Promise<void> {
    return new Promise((r) => (this.socket.connecting ? this.socket.once('connect', () => r()) : r()));
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  text(): string {
    return this.received.toString('latin1');
  }

  async until(pred: () => boolean, ms = 3000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end)
        throw new Error(`condition not met within ${ms} ms; received ${JSON.stringify(this.text().slice(0, 200))}, ended ${this.ended}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async whenClosed(ms = 3000): Promise<void> {
    await Promise.race([this.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('socket did not close')), ms))]);
  }
}

export const connectHead = (host: string, extra = '') => `CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\n${extra}\r\n`;
