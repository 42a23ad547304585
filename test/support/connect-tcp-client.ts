/**
 * A connect-tcp client (draft-ietf-httpbis-connect-tcp-08) for the tests: opens a TCP tunnel
 * through a proxy URI template, over HTTP/1.1 (GET + Upgrade: connect-tcp, §3.1) or HTTP/2
 * (extended CONNECT with :protocol = connect-tcp, §3.2). Returns the byte stream and the status.
 */
import net from 'node:net';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';

export interface TcpTunnel {
  status: number;
  headers: Record<string, string>;
  stream: Duplex;
  close(): void;
}

export const DEFAULT_TEMPLATE = '/.well-known/masque/tcp/{target_host}/{target_port}/';

export function expand(template: string, host: string, port: number): string {
  return template.replace('{target_host}', encodeURIComponent(host)).replace('{target_port}', String(port));
}

export function connectTcpH1(
  proxyPort: number,
  host: string,
  port: number,
  options: { template?: string; omit?: string[]; capsule?: boolean } = {},
): Promise<TcpTunnel> {
  const lines = [
    `GET ${expand(options.template ?? DEFAULT_TEMPLATE, host, port)} HTTP/1.1`,
    `Host: 127.0.0.1:${proxyPort}`,
    'Connection: Upgrade',
    'Upgrade: connect-tcp',
    ...(options.capsule === false ? [] : ['Capsule-Protocol: ?1']),
  ].filter((l) => !(options.omit ?? []).some((o) => l.toLowerCase().startsWith(o.toLowerCase())));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: proxyPort }, () => socket.write(lines.join('\r\n') + '\r\n\r\n'));
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const [statusLine = '', ...fields] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
      const rest = buf.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, stream: socket, close: () => socket.destroy() });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

export function connectTcpH2(
  proxyPort: number,
  ca: string,
  host: string,
  port: number,
  options: { template?: string } = {},
): Promise<TcpTunnel> {
  const session = http2.connect(`https://127.0.0.1:${proxyPort}`, { ca });
  return new Promise((resolve, reject) => {
    session.on('error', reject);
    session.on('remoteSettings', (settings) => {
      if (!settings.enableConnectProtocol) return reject(new Error('the proxy did not send SETTINGS_ENABLE_CONNECT_PROTOCOL'));
      const stream = session.request({
        ':method': 'CONNECT',
        ':protocol': 'connect-tcp',
        ':scheme': 'https',
        ':authority': `127.0.0.1:${proxyPort}`,
        ':path': expand(options.template ?? DEFAULT_TEMPLATE, host, port),
        'capsule-protocol': '?1',
      });
      stream.on('response', (h) =>
        resolve({ status: Number(h[':status']), headers: h as Record<string, string>, stream, close: () => session.destroy() }),
      );
      stream.on('error', reject);
    });
  });
}
