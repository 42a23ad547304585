/**
 * A deliberately literal HTTP/1.x request-head parser. Node's own parser normalises (lower-cases
 * names, merges duplicates, rejects oddities); the suite needs the wire as sent: names with their
 * case, in order, duplicates kept, and bare-LF line endings noticed rather than hidden.
 */

export interface WireHeader {
  name: string;
  value: string;
}

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: WireHeader[];
  /** true when any line ended in LF without CR. */
  bareLf: boolean;
  /** Byte length of the head including the empty line. */
  length: number;
  /** Lines that were not `name: value`, kept so malformed requests are visible. */
  malformedLines: string[];
}

/** Returns the offset just past the head's empty line, or -1 while the head is incomplete. */
export function findHeadEnd(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

export function parseRequestHead(buf: Buffer): RequestHead | undefined {
  const end = findHeadEnd(buf);
  if (end < 0) return undefined;
  const text = buf.subarray(0, end).toString('latin1');
  const rawLines = text.split('\n');
  let bareLf = false;
  const lines = rawLines.map((l, i) => {
    if (l.endsWith('\r')) return l.slice(0, -1);
    if (i < rawLines.length - 1) bareLf = true;
    return l;
  });
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const [requestLine = '', ...headerLines] = lines;
  const parts = requestLine.split(' ');
  const headers: WireHeader[] = [];
  const malformedLines: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      malformedLines.push(line);
      continue;
    }
    headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return {
    method: parts[0] ?? '',
    target: parts[1] ?? '',
    version: parts.slice(2).join(' '),
    headers,
    bareLf,
    length: end,
    malformedLines,
  };
}

export function headerValue(head: RequestHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** The host a request is for: the CONNECT authority, or the host of an absolute-form URI. */
export function requestAuthority(head: RequestHead): { host: string; port: number } | undefined {
  if (head.method === 'CONNECT') {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(head.target);
    if (!m) return undefined;
    return { host: m[1]!.toLowerCase(), port: m[2] ? Number(m[2]) : 443 };
  }
  try {
    const u = new URL(head.target);
    if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ws:' && u.protocol !== 'wss:') return undefined;
    return { host: u.hostname.toLowerCase(), port: Number(u.port) || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80) };
  } catch {
    return undefined;
  }
}
