/**
 * A minimal WebSocket echo endpoint (RFC 6455 framing) that runs on any duplex stream: an HTTP/1.1
 * upgraded socket or an HTTP/2 extended-CONNECT stream (RFC 8441). Written here rather than taken
 * from a library because the same framing code must sit on both, and an HTTP/2 stream is not the
 * net.Socket WebSocket libraries expect.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';

export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), Buffer.from(new BigUint64Array([BigInt(len)]).buffer).reverse()]);
  return Buffer.concat([head, payload]);
}

/** Echoes every text/binary message back; answers ping and close. Calls onMessage for each. */
export function attachEcho(stream: Duplex, onMessage: (text: string) => void): void {
  let buf = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0]! & 0x0f;
      const masked = (buf[1]! & 0x80) !== 0;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (buf.length < off + len) return;
      const payload = Buffer.from(buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[maskOff + (i % 4)]!;
      buf = buf.subarray(off + len);
      if (opcode === 0x1 || opcode === 0x2) {
        onMessage(payload.toString('utf8'));
        stream.write(frame(opcode, payload));
      } else if (opcode === 0x9) {
        stream.write(frame(0xa, payload));
      } else if (opcode === 0x8) {
        stream.write(frame(0x8, payload.subarray(0, 2)));
        stream.end();
        return;
      }
    }
  });
  stream.on('error', () => {});
}
