/**
 * A cell's wire as a pcapng file Wireshark opens: synthesised from the recorded bytes and their
 * times, one TCP stream per client connection to the proxy (SYN, the bytes each way as the proxy
 * logged them, FIN or RST where the record says who closed). The proxy is written as port 3128,
 * which Wireshark decodes as HTTP by default, so a CONNECT, its answer and the tunnelled TLS are
 * dissected without "Decode As". What the proxy logged is what it read and wrote after its own TLS
 * (an HTTPS proxy): the file holds the plaintext, as a capture with the keys would show it. On an
 * HTTP/2 proxy the record keeps each CONNECT stream's tunnel bytes, not the session's frames: each
 * stream is written as a TCP stream of its own, and the file's comment says so.
 */
import type { CaseRecord } from '../evidence/record';
import type { ConnectionTrace } from '../evidence/events';

/** Wireshark's default HTTP ports include 3128 (Squid's): the proxy side of every stream. */
export const PCAP_PROXY_PORT = 3128;
/** An HTTP/2 CONNECT stream's DATA is the origin's TLS: port 443 has Wireshark dissect it as such. */
export const H2_STREAM_PORT = 443;
const LINKTYPE_RAW = 101;
const MSS = 16_000;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

function pad4(b: Buffer): Buffer {
  return b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;
}

/** A pcapng block: type, total length, body (padded), total length again. */
function block(type: number, body: Buffer): Buffer {
  const padded = pad4(body);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(padded.length + 12, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(padded.length + 12, 0);
  return Buffer.concat([head, padded, tail]);
}

/** An option list: code, length, value (padded), ended by opt_endofopt. */
function options(list: [number, Buffer][]): Buffer {
  if (!list.length) return Buffer.alloc(0);
  const parts = list.flatMap(([code, value]) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(code, 0);
    h.writeUInt16LE(value.length, 2);
    return [h, pad4(value)];
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

function sectionHeader(comment: string): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  body.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, Buffer.concat([body, options([[1, Buffer.from(comment, 'utf8')]])]));
}

function interfaceDescription(): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16LE(LINKTYPE_RAW, 0);
  body.writeUInt32LE(0, 4);
  // if_tsresol 6: microseconds (the default, stated for readers that want it).
  return block(1, Buffer.concat([body, options([[9, Buffer.from([6])]])]));
}

function packetBlock(micros: bigint, packet: Buffer): Buffer {
  const body = Buffer.alloc(20);
  body.writeUInt32LE(0, 0);
  body.writeUInt32LE(Number(micros >> 32n), 4);
  body.writeUInt32LE(Number(micros & 0xffffffffn), 8);
  body.writeUInt32LE(packet.length, 12);
  body.writeUInt32LE(packet.length, 16);
  return block(6, Buffer.concat([body, pad4(packet)]));
}

function checksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const b of parts) for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) + (i + 1 < b.length ? b[i + 1]! : 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

const LOOPBACK = Buffer.from([127, 0, 0, 1]);

/** An IPv4 packet (127.0.0.1 both ways) carrying one TCP segment with valid checksums. */
export function tcpPacket(seg: { src: number; dst: number; seq: number; ack: number; flags: number; payload: Buffer }): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(seg.src, 0);
  tcp.writeUInt16BE(seg.dst, 2);
  tcp.writeUInt32BE(seg.seq >>> 0, 4);
  tcp.writeUInt32BE(seg.flags & ACK ? seg.ack >>> 0 : 0, 8);
  tcp.writeUInt8(5 << 4, 12);
  tcp.writeUInt8(seg.flags, 13);
  tcp.writeUInt16BE(65535, 14);
  const pseudo = Buffer.alloc(12);
  LOOPBACK.copy(pseudo, 0);
  LOOPBACK.copy(pseudo, 4);
  pseudo.writeUInt8(6, 9);
  pseudo.writeUInt16BE(20 + seg.payload.length, 10);
  tcp.writeUInt16BE(checksum(pseudo, tcp, seg.payload), 16);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + 20 + seg.payload.length, 2);
  ip.writeUInt16BE(0x4000, 6);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(6, 9);
  LOOPBACK.copy(ip, 12);
  LOOPBACK.copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ip, tcp, seg.payload]);
}

/** The packets of one connection, each with its time in ms from the case's start. */
function connectionPackets(c: ConnectionTrace, clientPort: number, proxyPort: number): { t: number; packet: Buffer }[] {
  const out: { t: number; packet: Buffer }[] = [];
  const side = { client: { port: clientPort, seq: 1000 }, proxy: { port: proxyPort, seq: 5000 } };
  const send = (t: number, from: 'client' | 'proxy', flags: number, payload = Buffer.alloc(0)) => {
    const me = side[from];
    const peer = side[from === 'client' ? 'proxy' : 'client'];
    out.push({ t, packet: tcpPacket({ src: me.port, dst: peer.port, seq: me.seq, ack: peer.seq, flags, payload }) });
    me.seq += payload.length + (flags & (SYN | FIN) ? 1 : 0);
  };
  const t0 = c.openedAt;
  send(t0, 'client', SYN);
  send(t0, 'proxy', SYN | ACK);
  send(t0, 'client', ACK);
  let closed = false;
  for (const e of c.events) {
    if (closed) break;
    if (e.kind === 'c2p' || e.kind === 'p2c') {
      const bytes = Buffer.from(e.data, 'base64');
      for (let i = 0; i < bytes.length; i += MSS) send(e.t, e.kind === 'c2p' ? 'client' : 'proxy', PSH | ACK, bytes.subarray(i, i + MSS));
    } else if (e.kind === 'client-fin') send(e.t, 'client', FIN | ACK);
    else if (e.kind === 'proxy-fin') send(e.t, 'proxy', FIN | ACK);
    else if (e.kind === 'client-rst') {
      send(e.t, 'client', RST | ACK);
      closed = true;
    } else if (e.kind === 'proxy-rst' || e.kind === 'harness-close') {
      send(e.t, 'proxy', RST | ACK);
      closed = true;
    }
  }
  return out;
}

/** The pcapng of a case record: every connection to the proxy, in time order. */
export function recordPcapng(rec: CaseRecord, what: string): Buffer {
  const start = BigInt(Date.parse(rec.startedAt)) * 1000n;
  const h2 = rec.connections.some((c) => c.protocol === 'h2');
  const comment =
    `connect-conformance: ${what} (synthesised from the proxy's record: client 127.0.0.1:<its port>, proxy as 127.0.0.1:${PCAP_PROXY_PORT}; ` +
    `bytes as the proxy read and wrote them, after its own TLS)` +
    (h2 ? "; HTTP/2 proxy: each CONNECT stream is written as a TCP stream of its own carrying that stream's tunnel bytes" : '');
  const used = new Set<number>();
  const packets = rec.connections.flatMap((c, i) => {
    // One TCP stream per trace: HTTP/2 streams of one session share the client's port, so they get ports of their own.
    let port = c.protocol === 'h2' ? 40_000 + i : c.clientPort;
    while (used.has(port)) port++;
    used.add(port);
    return connectionPackets(c, port, c.protocol === 'h2' ? H2_STREAM_PORT : PCAP_PROXY_PORT);
  });
  packets.sort((a, b) => a.t - b.t);
  return Buffer.concat([
    sectionHeader(comment),
    interfaceDescription(),
    ...packets.map((p) => packetBlock(start + BigInt(Math.round(p.t * 1000)), p.packet)),
  ]);
}
