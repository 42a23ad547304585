/**
 * The scripted HTTP/2 session (proxy.session and the HTTP/2 steps) driven by Node's own http2
 * client: what the frame tap sends is what the client acts on, and the session facts read it back.
 * Each fact is also shown to take its other value when the client (or the script) does otherwise.
 */
import { expect } from 'chai';
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import { startTestbed, type Testbed } from '../harness/runner/testbed';
import { h2SessionFacts } from '../harness/observe/h2-session-facts';
import type { CaseSession } from '../harness/proxy/mock-proxy';
import type { CaseRecord } from '../harness/evidence/record';
import type { H2SessionFrame } from '../harness/evidence/events';
import { ERROR_CODES, FLAG_END_STREAM } from '../harness/wire/h2-frames';
import { script } from './helpers';

const OK = { do: 'send', head: { status: 200 } };

function h2Client(bed: Testbed): http2.ClientHttp2Session {
  const c = http2.connect(`https://127.0.0.1:${bed.proxy.port}`, { ca: bed.ca.caPem, servername: undefined as unknown as string });
  c.on('error', () => {});
  return c;
}

function connect(session: http2.ClientHttp2Session, authority: string) {
  const stream = session.request({ ':method': 'CONNECT', ':authority': authority }, { endStream: false });
  stream.on('error', () => {});
  const response = new Promise<number>((resolve) => stream.on('response', (h) => resolve(Number(h[':status']))));
  const closed = new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode ?? 0)));
  return { stream, response, closed };
}

/** The parts of a case record the session facts read. */
function recordOf(bed: Testbed, session: CaseSession): CaseRecord {
  const connections = session.traces();
  const ids = new Set(connections.map((c) => c.id));
  return {
    connections,
    h2Sessions: bed.proxy.sessionTraces(ids, session.startedAbs, session.startedAbs),
    origin: [],
    harness: { contextClosedAt: performance.now() - session.startedAbs + 1, settledAt: 0, durationMs: 0, notes: [], strays: [] },
  } as unknown as CaseRecord;
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

describe('Scripted HTTP/2 sessions (frame tap) with a Node http2 client', () => {
  let bed: Testbed;
  let n = 0;
  const host = () => `h2session-${++n}-${Date.now().toString(36)}.connect.test`;
  beforeEach(async () => {
    bed = await startTestbed('h2');
  });
  afterEach(async () => {
    bed.proxy.useSessionProfile(undefined);
    await bed.close();
  });

  describe('REFUSED_STREAM on the first CONNECT (h2-refused-stream)', () => {
    const refusing = () =>
      script([{ when: { connection: 1 }, steps: [{ do: 'rst-stream', code: 'REFUSED_STREAM' }] }, { steps: [OK, 'close'] }]);

    it('a client that retries on the same session is seen retrying there', async () => {
      bed.proxy.useSessionProfile({});
      const h = host();
      const session = bed.proxy.openCase(h, refusing());
      const client = h2Client(bed);
      const first = connect(client, `${h}:443`);
      expect(await first.closed).to.equal(ERROR_CODES.REFUSED_STREAM);
      const retry = connect(client, `${h}:443`);
      expect(await retry.response).to.equal(200);
      await settle();
      client.close();
      const rec = recordOf(bed, session);
      expect(
        rec.h2Sessions!.flatMap((s) =>
          s.frames.filter((f) => f.dir === 'p2c' && f.type === 'RST_STREAM').map((f) => [f.stream, f.errorCode]),
        ),
      ).to.deep.equal([[1, ERROR_CODES.REFUSED_STREAM]]);
      expect(h2SessionFacts(rec)).to.include({ 'h2-retry': 'retried on the same session', 'h2-streams': 2, 'h2-sessions': 1 });
    });

    it('a client that gives up is seen not retrying', async () => {
      bed.proxy.useSessionProfile({});
      const h = host();
      const session = bed.proxy.openCase(h, refusing());
      const client = h2Client(bed);
      expect(await connect(client, `${h}:443`).closed).to.equal(ERROR_CODES.REFUSED_STREAM);
      await settle();
      client.close();
      expect(h2SessionFacts(recordOf(bed, session))['h2-retry']).to.equal('not retried');
    });
  });

  describe('GOAWAY before the CONNECT is answered, last-stream-id below it (h2-goaway)', () => {
    it("Node's client honours the last-stream-id: no new stream on that session, the CONNECT retried on a new one", async () => {
      bed.proxy.useSessionProfile({});
      const h = host();
      const session = bed.proxy.openCase(
        h,
        script([
          {
            when: { connection: 1 },
            steps: [{ do: 'goaway', lastStream: 'below' }, { do: 'ping' }, { do: 'hold', ms: 3000 }],
          },
          { steps: [OK, 'close'] },
        ]),
      );
      const client = h2Client(bed);
      const goaway = new Promise<number>((resolve) => client.on('goaway', (_code, last) => resolve(last)));
      const first = connect(client, `${h}:443`);
      expect(await goaway).to.equal(0);
      await first.closed;
      // Node refuses new streams on a session that received GOAWAY: the retry needs a new session.
      expect(() => client.request({ ':method': 'CONNECT', ':authority': `${h}:443` })).to.throw();
      const second = h2Client(bed);
      expect(await connect(second, `${h}:443`).response).to.equal(200);
      await settle();
      client.destroy();
      second.close();
      const rec = recordOf(bed, session);
      const facts = h2SessionFacts(rec);
      expect(facts).to.include({
        'h2-retry': 'retried on a new session',
        'h2-after-goaway': 'no new stream on that session',
        'h2-sessions': 2,
      });
      const sent = rec.h2Sessions!.flatMap((s) => s.frames.filter((f) => f.type === 'GOAWAY' && f.dir === 'p2c' && f.scripted));
      expect(sent.map((f) => [f.lastStreamId, f.errorCode, f.scripted])).to.deep.equal([[0, 0, 'injected']]);

      // The PING went out behind the GOAWAY; Node's client, going away, never acknowledged it (and
      // opened nothing more): "no new stream". Browsers do acknowledge: the fence is built from here.
      const oldSession = rec.h2Sessions!.find((x) => x.id === rec.connections[0]!.id)!;
      const goawayAt = oldSession.frames.findIndex((f) => f.dir === 'p2c' && f.type === 'GOAWAY');
      const pingAt = oldSession.frames.findIndex((f, i) => i > goawayAt && f.dir === 'p2c' && f.type === 'PING');
      expect(pingAt, 'the PING follows the GOAWAY on the wire').to.be.above(goawayAt);
      const ack: H2SessionFrame = { t: oldSession.frames[pingAt]!.t + 1, dir: 'c2p', type: 'PING', stream: 0, flags: 1, length: 8 };
      const acked = [...oldSession.frames.slice(0, pingAt + 1), ack, ...oldSession.frames.slice(pingAt + 1)];
      const ackAt = pingAt + 1;

      // A HEADERS frame on the old session above the last-stream-id: after the PING's
      // acknowledgement it is a violation; before it, a stream the client may have opened before
      // the GOAWAY reached it (legal); with no acknowledgement at all, nothing is fenced.
      const withFrame = (at: number, frames = acked) => {
        const headers = { t: frames[at - 1]!.t, dir: 'c2p' as const, type: 'HEADERS', stream: 3, flags: 0x4, length: 20 };
        const changed = { ...oldSession, frames: [...frames.slice(0, at), headers, ...frames.slice(at)] };
        return h2SessionFacts({ ...rec, h2Sessions: rec.h2Sessions!.map((x) => (x === oldSession ? changed : x)) })['h2-after-goaway'];
      };
      expect(withFrame(ackAt + 1)).to.equal('new streams on that session');
      expect(withFrame(goawayAt + 1)).to.equal('no new stream on that session');
      expect(withFrame(goawayAt + 1, oldSession.frames)).to.equal('not fenced (no PING acknowledged after the GOAWAY)');
    });
  });

  describe('RST_STREAM on one tunnel while others are open (h2-session-isolation)', () => {
    it('h2-reset-stream names the stream the proxy reset (from its RST_STREAM frame) and whether the client retried it', async () => {
      bed.proxy.useSessionProfile({});
      const h = host();
      const session = bed.proxy.openCase(
        h,
        script([
          { when: { connection: 2 }, steps: [OK, { do: 'rst-stream', code: 'CONNECT_ERROR' }] },
          { steps: [OK, { do: 'hold', ms: 2000 }] },
        ]),
      );
      const client = h2Client(bed);
      const page = connect(client, `${h}:443`);
      expect(await page.response).to.equal(200);
      const image = connect(client, `s1.${h}:443`);
      await image.closed;
      let rec = { ...recordOf(bed, session), host: h };
      expect(h2SessionFacts(rec)['h2-reset-stream']).to.equal('stream 3 (s1.{host}:443), not retried');
      const retry = connect(client, `s1.${h}:443`);
      expect(await retry.response).to.equal(200);
      await settle();
      rec = { ...recordOf(bed, session), host: h };
      expect(h2SessionFacts(rec)['h2-reset-stream']).to.equal('stream 3 (s1.{host}:443), retried on the same session');
      client.destroy();
    });
  });

  describe('INITIAL_WINDOW_SIZE 0, then a WINDOW_UPDATE (h2-flow-control)', () => {
    const granting = () =>
      script([{ steps: [OK, { do: 'wait', ms: 300 }, { do: 'window-update', increment: 65535 }, { do: 'hold', ms: 1000 }] }]);

    /** One CONNECT whose client writes at once after the 200, with the window the profile advertises. */
    async function writeAtOnce(profile: { initialWindowSize?: number }) {
      bed.proxy.useSessionProfile(profile);
      const h = host();
      const session = bed.proxy.openCase(h, granting());
      const client = h2Client(bed);
      const { stream, response } = connect(client, `${h}:443`);
      expect(await response).to.equal(200);
      stream.write('client hello bytes');
      await settle(600);
      client.destroy();
      return recordOf(bed, session);
    }

    it("Node's client sends no tunnel DATA until the stream's window opens", async () => {
      const rec = await writeAtOnce({ initialWindowSize: 0 });
      const settings = rec.h2Sessions![0]!.frames.find((f) => f.dir === 'p2c' && f.type === 'SETTINGS' && f.scripted === 'rewritten');
      expect(settings?.settings).to.deep.include({ id: 4, value: 0 });
      expect(h2SessionFacts(rec)['h2-window']).to.equal('waited, then sent');
    });

    it('with the window left at its default, the same client sends at once: the fact sees DATA before the grant', async () => {
      expect(h2SessionFacts(await writeAtOnce({}))['h2-window']).to.equal('DATA before the window opened');
    });
  });

  describe('MAX_CONCURRENT_STREAMS advertised (h2-max-concurrent)', () => {
    it("Node's client keeps to 1 open stream when told 1, and opens 3 at once when not", async () => {
      const run = async (profile: { maxConcurrentStreams?: number }) => {
        bed.proxy.useSessionProfile(profile);
        const h = host();
        const session = bed.proxy.openCase(h, script([{ steps: [OK, { do: 'wait', ms: 150 }, 'close'] }]));
        const client = h2Client(bed);
        // Let the SETTINGS arrive before the streams are asked for.
        await new Promise<void>((resolve) => client.once('remoteSettings', () => resolve()));
        const streams = ['s1', 's2', 's3'].map((s) => connect(client, `${s}.${h}:443`));
        for (const s of streams) s.stream.on('end', () => s.stream.end());
        await Promise.all(streams.map((s) => s.closed));
        client.close();
        return h2SessionFacts(recordOf(bed, session))['h2-open-at-once'];
      };
      expect(await run({ maxConcurrentStreams: 1 })).to.equal(1);
      expect(await run({})).to.equal(3);
    });
  });

  describe('frames that break the tunnel stream (h2-connect-stream)', () => {
    it("a HEADERS frame after the 2xx reaches Node's client, which resets the stream", async () => {
      bed.proxy.useSessionProfile({});
      const h = host();
      const session = bed.proxy.openCase(
        h,
        script([{ steps: [OK, { do: 'headers-frame', headers: ['x-cc-trailer: 1'] }, { do: 'hold', ms: 1000 }] }]),
      );
      const client = h2Client(bed);
      const { response, closed } = connect(client, `${h}:443`);
      expect(await response).to.equal(200);
      const code = await closed;
      await settle();
      client.destroy();
      const rec = recordOf(bed, session);
      const frames = rec
        .h2Sessions![0]!.frames.filter((f) => f.stream === 1)
        .map((f) => `${f.dir} ${f.type}${f.scripted ? ` ${f.scripted}` : ''}`);
      expect(frames).to.include.ordered.members(['c2p HEADERS', 'p2c HEADERS', 'p2c HEADERS injected']);
      expect(code).to.equal(ERROR_CODES.PROTOCOL_ERROR);
      expect(h2SessionFacts(rec)['h2-stream-error']).to.equal('RST_STREAM PROTOCOL_ERROR');
    });
  });
});

describe('h2-stream-error, read from the frames on the wire only (every value)', () => {
  /** A case whose script wrote HEADERS after the 2xx on stream 1 of session 7 at t=10, then the client's frames. */
  function broken(clientFrames: Partial<H2SessionFrame>[], extra: { closedAt?: number; nodeRst?: number } = {}): CaseRecord {
    const frame = (f: Partial<H2SessionFrame>): H2SessionFrame => ({
      t: 20,
      dir: 'c2p',
      type: 'DATA',
      stream: 1,
      flags: 0,
      length: 0,
      ...f,
    });
    return {
      caseId: 'h2-trailers-after-200',
      connections: [
        {
          id: 7,
          protocol: 'h2',
          h2Stream: 1,
          openedAt: 1,
          requests: [{ t: 2, head: { method: 'CONNECT', target: 'x:443' } }],
          events: [
            { t: 1, kind: 'open', clientPort: 1, h2: { connection: 7, stream: 1 } },
            { t: 5, kind: 'response' },
            { t: 10, kind: 'h2-headers' },
            // What Node's stream object said afterwards (its rstCode), whatever the client sent.
            ...(extra.nodeRst !== undefined ? [{ t: 21, kind: 'client-rst', frame: { errorCode: extra.nodeRst } }] : []),
          ],
        },
      ],
      h2Sessions: [
        { id: 7, clientPort: 1, openedAt: 0, ...(extra.closedAt ? { closedAt: extra.closedAt } : {}), frames: clientFrames.map(frame) },
      ],
      origin: [],
      harness: { contextClosedAt: 1000, settledAt: 900, durationMs: 1000, notes: [], strays: [] },
    } as unknown as CaseRecord;
  }
  const fact = (rec: CaseRecord) => h2SessionFacts(rec)['h2-stream-error'];

  it('RST_STREAM on the stream, with its code', () => {
    expect(fact(broken([{ type: 'RST_STREAM', errorCode: ERROR_CODES.PROTOCOL_ERROR }]))).to.equal('RST_STREAM PROTOCOL_ERROR');
  });
  it('GOAWAY, with its code, even where Node reports a reset of the stream (firefox-h2 h2-trailers-after-200, issue 31)', () => {
    const rec = broken([{ type: 'GOAWAY', stream: 0, errorCode: ERROR_CODES.PROTOCOL_ERROR }], { nodeRst: ERROR_CODES.PROTOCOL_ERROR });
    expect(fact(rec)).to.equal('GOAWAY PROTOCOL_ERROR');
  });
  it("a RST_STREAM on another stream is not this stream's answer", () => {
    expect(fact(broken([{ type: 'RST_STREAM', stream: 3, errorCode: ERROR_CODES.CANCEL }]))).to.equal('none');
  });
  it('END_STREAM on the stream, or the connection closed: "stream closed"', () => {
    expect(fact(broken([{ type: 'DATA', flags: FLAG_END_STREAM }]))).to.equal('stream closed');
    expect(fact(broken([], { closedAt: 30 }))).to.equal('stream closed');
  });
  it('nothing the client sent back before the harness closed the case: "none" (frames after the close are the harness\'s)', () => {
    expect(fact(broken([]))).to.equal('none');
    expect(fact(broken([{ t: 2000, type: 'RST_STREAM', errorCode: ERROR_CODES.CANCEL }]))).to.equal('none');
  });
  it('h2-window, in frame order on the wire: DATA logged before the WINDOW_UPDATE, after it, or none', () => {
    const grant = { dir: 'p2c' as const, type: 'WINDOW_UPDATE', increment: 65535 };
    const window = (rec: CaseRecord) => h2SessionFacts(rec)['h2-window'];
    // Same timestamp: the order of the log decides, not the clock.
    expect(
      window(
        broken([
          { t: 15, type: 'DATA', length: 517 },
          { t: 15, ...grant },
        ]),
      ),
    ).to.equal('DATA before the window opened');
    expect(
      window(
        broken([
          { t: 15, ...grant },
          { t: 15, type: 'DATA', length: 517 },
        ]),
      ),
    ).to.equal('waited, then sent');
    expect(
      window(
        broken([
          { t: 15, ...grant },
          { t: 16, type: 'DATA', length: 0, flags: FLAG_END_STREAM },
        ]),
      ),
    ).to.equal('sent nothing');
    expect(window(broken([{ t: 15, type: 'DATA', length: 517 }])), 'no grant: not measured').to.equal(undefined);
  });

  it('frames the client sent before the breaking frame are not its answer', () => {
    expect(fact(broken([{ t: 9, type: 'RST_STREAM', errorCode: ERROR_CODES.CANCEL }]))).to.equal('none');
  });
});
