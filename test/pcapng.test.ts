/**
 * The pcapng a cell's wire is written as (npm run pcap, npm run case --pcap): read back block by
 * block as Wireshark reads it, every TCP segment's checksums valid, and each direction's payloads
 * reassembled in sequence order equal to the bytes the proxy recorded.
 */
import { expect } from 'chai';
import type { CaseRecord } from '../harness/evidence/record';
import type { ConnectionTrace } from '../harness/evidence/events';
import { H2_STREAM_PORT, PCAP_PROXY_PORT, recordPcapng } from '../harness/report/pcapng';

interface Packet {
  micros: bigint;
  data: Buffer;
}

/** A minimal pcapng reader: the blocks' framing, the section's byte order and the packets. */
function readPcapng(file: Buffer): { comment: string; linktype: number; packets: Packet[] } {
  let at = 0;
  let comment = '';
  let linktype = -1;
  const packets: Packet[] = [];
  while (at < file.length) {
    const type = file.readUInt32LE(at);
    const len = file.readUInt32LE(at + 4);
    expect(len % 4, 'block length is a multiple of 4').to.equal(0);
    expect(file.readUInt32LE(at + len - 4), 'trailing length equals the leading one').to.equal(len);
    const body = file.subarray(at + 8, at + len - 4);
    if (type === 0x0a0d0d0a) {
      expect(body.readUInt32LE(0)).to.equal(0x1a2b3c4d);
      expect(body.readUInt16LE(16)).to.equal(1); // opt_comment
      comment = body.subarray(20, 20 + body.readUInt16LE(18)).toString('utf8');
    } else if (type === 1) linktype = body.readUInt16LE(0);
    else if (type === 6) {
      const micros = (BigInt(body.readUInt32LE(4)) << 32n) | BigInt(body.readUInt32LE(8));
      const caplen = body.readUInt32LE(12);
      expect(body.readUInt32LE(16)).to.equal(caplen);
      packets.push({ micros, data: body.subarray(20, 20 + caplen) });
    }
    at += len;
  }
  return { comment, linktype, packets };
}

function sum(...parts: Buffer[]): number {
  let s = 0;
  for (const b of parts) for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) + (i + 1 < b.length ? b[i + 1]! : 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}

function tcp(p: Buffer) {
  const ihl = (p[0]! & 0x0f) * 4;
  expect(sum(p.subarray(0, ihl)), 'IPv4 header checksum').to.equal(0xffff);
  const seg = p.subarray(ihl, p.readUInt16BE(2));
  const pseudo = Buffer.alloc(12);
  p.copy(pseudo, 0, 12, 20);
  pseudo.writeUInt8(6, 9);
  pseudo.writeUInt16BE(seg.length, 10);
  expect(sum(pseudo, seg), 'TCP checksum').to.equal(0xffff);
  return {
    src: seg.readUInt16BE(0),
    dst: seg.readUInt16BE(2),
    seq: seg.readUInt32BE(4),
    flags: seg[13]!,
    payload: seg.subarray((seg[12]! >> 4) * 4),
  };
}

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

function record(connections: ConnectionTrace[]): CaseRecord {
  return {
    caseId: 'pcap-case',
    host: 'pcap.connect.test',
    startedAt: '2026-12-07T00:00:00.000Z',
    client: { name: 'chromium', label: 'Chromium', version: '1', executablePath: '/x' },
    connections,
    origin: [],
    harness: { contextClosedAt: 1000, settledAt: 900, durationMs: 1000, notes: [], strays: [] },
  } as unknown as CaseRecord;
}

const connect = 'CONNECT pcap.connect.test:443 HTTP/1.1\r\nHost: pcap.connect.test:443\r\n\r\n';
const answer = 'HTTP/1.1 200 Connection established\r\n\r\n';
// Larger than one segment, with every byte value: the split and the reassembly are both exercised.
const big = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 256)).toString('latin1');

describe("a cell's wire as pcapng (Wireshark)", () => {
  const conn: ConnectionTrace = {
    id: 7,
    index: 1,
    clientPort: 41000,
    openedAt: 5,
    protocol: 'h1',
    requests: [],
    earlyBytes: '',
    events: [
      { t: 5, kind: 'open', clientPort: 41000 },
      { t: 6, kind: 'c2p', data: b64(connect) },
      { t: 8, kind: 'p2c', data: b64(answer) },
      { t: 9.5, kind: 'c2p', data: b64(big) },
      { t: 12, kind: 'proxy-fin' },
      { t: 13, kind: 'client-rst' },
    ],
  };
  const file = readPcapng(recordPcapng(record([conn]), 'test'));

  it('is a section with a comment saying what it is, raw IPv4 packets, times from the case start', () => {
    expect(file.comment).to.match(/^connect-conformance: test \(synthesised/);
    expect(file.linktype).to.equal(101);
    const start = BigInt(Date.parse('2026-12-07T00:00:00.000Z')) * 1000n;
    expect(file.packets[0]!.micros).to.equal(start + 5000n);
    expect(file.packets.at(-1)!.micros).to.equal(start + 13000n);
  });

  it("opens with a handshake, carries each direction's bytes in order, and ends as the record says (FIN, then RST)", () => {
    const segs = file.packets.map((p) => tcp(p.data));
    expect(segs.slice(0, 3).map((s) => s.flags)).to.deep.equal([0x02, 0x12, 0x10]);
    expect(segs[0]!.src).to.equal(41000);
    expect(segs[0]!.dst).to.equal(PCAP_PROXY_PORT);
    const stream = (src: number) =>
      Buffer.concat(
        segs
          .filter((s) => s.src === src && s.payload.length)
          .sort((a, b) => a.seq - b.seq)
          .map((s) => s.payload),
      ).toString('latin1');
    expect(stream(41000)).to.equal(connect + big);
    expect(stream(PCAP_PROXY_PORT)).to.equal(answer);
    expect(segs.at(-2)!.flags & 0x01, "the proxy's FIN").to.equal(0x01);
    expect(segs.at(-1)!.flags & 0x04, "the client's RST").to.equal(0x04);
    // Sequence numbers follow the bytes: the client's RST comes right after its last byte.
    const firstData = segs.find((s) => s.src === 41000 && s.payload.length)!;
    expect(segs.at(-1)!.seq - firstData.seq).to.equal(connect.length + big.length);
  });

  it('gives HTTP/2 streams of one session TCP streams of their own, and says so', () => {
    const stream = (n: number): ConnectionTrace => ({ ...conn, protocol: 'h2', h2Stream: n, events: conn.events.slice(0, 3) });
    const h2 = readPcapng(recordPcapng(record([stream(1), stream(3)]), 'h2'));
    expect(h2.comment).to.match(/each CONNECT stream is written as a TCP stream of its own/);
    const ports = new Set(
      h2.packets
        .map((p) => tcp(p.data))
        .filter((s) => s.dst === H2_STREAM_PORT)
        .map((s) => s.src),
    );
    expect(ports.size).to.equal(2);
  });
});

describe('TLS records on the case page: the ClientHello named by its SNI and ALPN', () => {
  it('reads the SNI and ALPN of a real ClientHello, and nothing from a cut or hostile one', async () => {
    const { clientHelloText, tlsRecords } = await import('../harness/report/wire-text');
    const tls = await import('node:tls');
    const net = await import('node:net');
    // A real ClientHello, as Node writes it: captured from the socket.
    const hello = await new Promise<Buffer>((resolve) => {
      const server = net.createServer((s) => {
        s.once('data', (d) => {
          resolve(d);
          s.destroy();
          server.close();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        tls.connect({ port, host: '127.0.0.1', servername: 'sni.connect.test', ALPNProtocols: ['h2', 'http/1.1'] }).on('error', () => {});
      });
    });
    expect(tlsRecords(hello)).to.match(/^TLS records: handshake ClientHello \d+ \(SNI sni\.connect\.test, ALPN h2, http\/1\.1\)/);
    expect(clientHelloText(hello.subarray(5, 60))).to.equal('');
    expect(clientHelloText(Buffer.from([1, 0, 0, 200, 3, 3]))).to.equal('');
  });
});
