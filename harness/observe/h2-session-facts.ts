/**
 * Facts of a scripted HTTP/2 session (proxy.session): how the client spread its tunnels over
 * sessions, what it did with a refused stream, a GOAWAY, a zero window and a frame that breaks the
 * tunnel stream. Read from the stream traces (which stream, which session, what the script sent on
 * it) and the session frame logs (what the client sent back), before the harness closed anything.
 */
import type { CaseRecord } from '../evidence/record';
import type { ConnectionTrace, H2SessionFrame } from '../evidence/events';
import type { Facts } from '../vocabulary/facts';
import { errorCodeName, ERROR_CODES, FLAG_ACK, FLAG_END_STREAM } from '../wire/h2-frames';
import { withHostPlaceholder } from '../wire/http-head';
import { isLive } from './live';

/**
 * The case's CONNECT streams (HTTP/2 traces with a request) opened while its navigations were
 * going, in the order they opened: a CONNECT after the last navigation ended (Chromium reconnects
 * a second after a refused stream failed the page, sooner or later by load) is not the case's.
 */
function connectStreams(rec: CaseRecord): ConnectionTrace[] {
  const end = navigationEnd(rec);
  return rec.connections
    .filter(
      (c) => c.protocol === 'h2' && c.requests.some((r) => r.head.method === 'CONNECT') && isLive(rec, c.openedAt) && c.openedAt <= end,
    )
    .sort((a, b) => a.openedAt - b.openedAt);
}

/**
 * Most of the case's streams open at the same moment on one session, from the session's frames in
 * wire order: a stream counts from the client's HEADERS until both sides sent END_STREAM or either
 * sent RST_STREAM (RFC 9113 §5.1.2 counts open and half-closed streams).
 */
function mostOpenAtOnce(rec: CaseRecord, streams: readonly ConnectionTrace[]): number {
  let most = 0;
  for (const session of rec.h2Sessions ?? []) {
    const ours = new Set(streams.filter((c) => c.id === session.id).map((c) => c.h2Stream ?? 0));
    const open = new Map<number, { c2p: boolean; p2c: boolean }>();
    for (const f of session.frames) {
      if (!ours.has(f.stream) || !isLive(rec, f.t)) continue;
      if (f.dir === 'c2p' && f.type === 'HEADERS' && !open.has(f.stream)) open.set(f.stream, { c2p: false, p2c: false });
      const s = open.get(f.stream);
      if (!s) continue;
      if (f.type === 'RST_STREAM') open.delete(f.stream);
      else if ((f.type === 'DATA' || f.type === 'HEADERS') && f.flags & FLAG_END_STREAM) {
        s[f.dir] = true;
        if (s.c2p && s.p2c) open.delete(f.stream);
      }
      most = Math.max(most, open.size);
    }
  }
  return most;
}

/**
 * When the proxy refused a stream: RST_STREAM REFUSED_STREAM, or a GOAWAY sent on its behalf whose
 * last-stream-id is below it (RFC 9113 §8.7: neither was processed, a retry is safe).
 */
function refusedAt(c: ConnectionTrace): number | undefined {
  for (const e of c.events) {
    if (e.kind === 'proxy-rst' && e.frame?.errorCode === ERROR_CODES.REFUSED_STREAM) return e.t;
    if (e.kind === 'h2-frame' && e.frame.type === 'GOAWAY' && (e.frame.lastStreamId ?? 0) < (c.h2Stream ?? 0)) return e.t;
  }
  return undefined;
}

/** When the last visit's navigation ended (ms from case start): a CONNECT after it is not a retry of that navigation. */
function navigationEnd(rec: CaseRecord): number {
  const start = rec.visitStarts?.[rec.visitStarts.length - 1] ?? 0;
  return rec.navigation ? start + rec.navigation.durationMs : Number.POSITIVE_INFINITY;
}

function retryFact(streams: readonly ConnectionTrace[]): Facts['h2-retry'] {
  const refused = streams.find((c) => refusedAt(c) !== undefined);
  if (!refused) return undefined;
  const target = refused.requests[0]!.head.target;
  const at = refusedAt(refused)!;
  const retry = streams.find((c) => c !== refused && c.openedAt >= at && c.requests[0]!.head.target === target);
  if (!retry) return 'not retried';
  return retry.id === refused.id ? 'retried on the same session' : 'retried on a new session';
}

/**
 * After a GOAWAY the script sent: did the client open a stream above its last-stream-id on that
 * session? Fenced as h2spec fences it: the script sends a PING behind the GOAWAY, and only a
 * HEADERS frame the client sent after acknowledging that PING (so after it had the GOAWAY) counts;
 * one before it may have been in flight (legal). Read from the session's frames in wire order.
 */
function afterGoawayFact(rec: CaseRecord, streams: readonly ConnectionTrace[]): Facts['h2-after-goaway'] {
  const sessionIds = new Set(streams.map((c) => c.id));
  const verdicts = (rec.h2Sessions ?? [])
    .filter((s) => sessionIds.has(s.id))
    .flatMap((session) => {
      const frames = session.frames.filter((f) => isLive(rec, f.t));
      return frames.flatMap((g, at) => {
        if (g.dir !== 'p2c' || g.type !== 'GOAWAY') return [];
        const last = g.lastStreamId ?? 0;
        const ping = frames.findIndex((f, i) => i > at && f.dir === 'p2c' && f.type === 'PING' && !(f.flags & FLAG_ACK));
        const fence = ping < 0 ? -1 : frames.findIndex((f, i) => i > ping && f.dir === 'c2p' && f.type === 'PING' && f.flags & FLAG_ACK);
        const opened = (from: number) =>
          frames.some((f, i) => i > from && f.dir === 'c2p' && f.type === 'HEADERS' && f.stream > last && f.stream % 2 === 1);
        if (fence >= 0) return [opened(fence) ? 'new' : 'none'];
        return [opened(at) ? 'unfenced' : 'none'];
      });
    });
  if (!verdicts.length) return undefined;
  if (verdicts.includes('new')) return 'new streams on that session';
  if (verdicts.includes('unfenced')) return 'not fenced (no PING acknowledged after the GOAWAY)';
  return 'no new stream on that session';
}

/**
 * The stream the proxy reset (its RST_STREAM on the wire) with the authority its CONNECT asked
 * for, and whether the client asked for that authority again afterwards.
 */
function resetStreamFact(rec: CaseRecord, streams: readonly ConnectionTrace[]): Facts['h2-reset-stream'] {
  for (const session of rec.h2Sessions ?? []) {
    const rst = session.frames.find((f) => f.dir === 'p2c' && f.type === 'RST_STREAM' && isLive(rec, f.t));
    if (!rst) continue;
    const reset = streams.find((c) => c.id === session.id && c.h2Stream === rst.stream);
    const target = reset?.requests[0]?.head.target;
    if (!reset || !target) continue;
    const retry = streams.find((c) => c !== reset && c.openedAt >= rst.t && c.requests[0]?.head.target === target);
    const how = !retry ? 'not retried' : retry.id === reset.id ? 'retried on the same session' : 'retried on a new session';
    return `stream ${rst.stream} (${withHostPlaceholder(target, rec.host)}), ${how}`;
  }
  return undefined;
}

/**
 * With a zero initial window: did the client send tunnel DATA on a stream before the script's
 * WINDOW_UPDATE opened that stream's window? Read in the session's frame order on the wire (the
 * tap logs each frame as it passes): a DATA frame with payload logged before the WINDOW_UPDATE was
 * sent cannot have been sent with the window open.
 */
function windowFact(rec: CaseRecord, streams: readonly ConnectionTrace[]): Facts['h2-window'] {
  let granted = 0;
  let before = 0;
  let after = 0;
  for (const session of rec.h2Sessions ?? []) {
    const ours = new Set(streams.filter((c) => c.id === session.id).map((c) => c.h2Stream ?? 0));
    for (const stream of ours) {
      const frames = session.frames.filter((f) => f.stream === stream && isLive(rec, f.t));
      const grant = frames.findIndex((f) => f.dir === 'p2c' && f.type === 'WINDOW_UPDATE');
      if (grant < 0) continue;
      granted++;
      frames.forEach((f, i) => {
        if (f.dir !== 'c2p' || f.type !== 'DATA' || !f.length) return;
        if (i < grant) before += f.length;
        else after += f.length;
      });
    }
  }
  if (!granted) return undefined;
  if (before) return 'DATA before the window opened';
  return after ? 'waited, then sent' : 'sent nothing';
}

/**
 * What the client did after a frame the script wrote that breaks the stream (HEADERS after the 2xx,
 * DATA before HEADERS), read from the session's frames on the wire only: the first frame the client
 * sent back that ends the stream (RST_STREAM on it, with its code) or the session (GOAWAY, with its
 * code); else END_STREAM on it or the connection closed ("stream closed"); else "none". Node's own
 * idea of the stream (its rstCode, also set when the session went away) is not the wire.
 */
function streamErrorFact(rec: CaseRecord, streams: readonly ConnectionTrace[]): Facts['h2-stream-error'] {
  const broken = streams.flatMap((c) => {
    // A HEADERS frame the script wrote, or bytes sent before any response (a DATA frame before HEADERS).
    const responded = c.events.findIndex((e) => e.kind === 'response');
    const first = c.events.findIndex((e, i) => e.kind === 'h2-headers' || (e.kind === 'p2c' && (responded < 0 || i < responded)));
    return first >= 0 ? [{ c, t: c.events[first]!.t }] : [];
  });
  const hit = broken[0];
  if (!hit) return undefined;
  const session = rec.h2Sessions?.find((s) => s.id === hit.c.id);
  if (!session) return undefined;
  const stream = hit.c.h2Stream;
  const after = (f: H2SessionFrame) => f.dir === 'c2p' && f.t >= hit.t && isLive(rec, f.t);
  const ended = session.frames.find((f) => after(f) && ((f.type === 'RST_STREAM' && f.stream === stream) || f.type === 'GOAWAY'));
  if (ended) return `${ended.type === 'GOAWAY' ? 'GOAWAY' : 'RST_STREAM'} ${errorCodeName(ended.errorCode ?? 0)}`;
  const finished = session.frames.some((f) => after(f) && f.stream === stream && (f.flags & FLAG_END_STREAM) !== 0);
  const closed = session.closedAt !== undefined && session.closedAt >= hit.t && isLive(rec, session.closedAt);
  return finished || closed ? 'stream closed' : 'none';
}

/** Subresource hosts (s1.{host}…) whose image request reached the origin. */
function subresourcesFetched(rec: CaseRecord): number {
  const hosts = new Set(
    rec.origin.flatMap((e) => (e.kind === 'request' && e.path.startsWith('/cc-sub-') && isLive(rec, e.t) ? [e.host] : [])),
  );
  return hosts.size;
}

export function h2SessionFacts(rec: CaseRecord): Facts {
  if (!rec.h2Sessions) return {};
  const streams = connectStreams(rec);
  const facts: Facts = {
    'h2-sessions': new Set(streams.map((c) => c.id)).size,
    'h2-streams': streams.length,
    'h2-open-at-once': mostOpenAtOnce(rec, streams),
    'subresources-fetched': subresourcesFetched(rec),
  };
  const retry = retryFact(streams);
  const goaway = afterGoawayFact(rec, streams);
  const window = windowFact(rec, streams);
  const streamError = streamErrorFact(rec, streams);
  const reset = resetStreamFact(rec, streams);
  return {
    ...facts,
    ...(retry ? { 'h2-retry': retry } : {}),
    ...(goaway ? { 'h2-after-goaway': goaway } : {}),
    ...(window ? { 'h2-window': window } : {}),
    ...(streamError ? { 'h2-stream-error': streamError } : {}),
    ...(reset ? { 'h2-reset-stream': reset } : {}),
  };
}
