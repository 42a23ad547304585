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

export function headerValue(head: { headers: readonly WireHeader[] }, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** The host a request is for: the CONNECT authority, or the host of an absolute-form URI. */
export function requestAuthority(head: RequestHead): { host: string; port: number } | undefined {
  // Over HTTP/2 the target recorded is :authority, for every method (RFC 9113 §8.3.1).
  if (head.method === 'CONNECT' || head.version === 'HTTP/2') {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(head.target);
    if (!m) return undefined;
    const scheme = head.headers.find((h) => h.name === ':scheme')?.value;
    return { host: m[1]!.toLowerCase(), port: m[2] ? Number(m[2]) : scheme === 'http' ? 80 : 443 };
  }
  try {
    const u = new URL(head.target);
    if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ws:' && u.protocol !== 'wss:') return undefined;
    return { host: u.hostname.toLowerCase(), port: Number(u.port) || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80) };
  } catch {
    return undefined;
  }
}

/** A response head as sent, parsed literally: the proxy records one per head it writes. */
export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  headers: WireHeader[];
  /** Lines that were not `name: value` (an obs-fold continuation, garbage). */
  malformedLines: string[];
  bareLf: boolean;
  /** Byte length of the head including the empty line. */
  length: number;
}

/** Parses an HTTP/1.x response head at the start of bytes (undefined without a complete head and a status line). */
export function parseResponseHead(bytes: Buffer): ResponseHead | undefined {
  const end = findHeadEnd(bytes);
  if (end < 0) return undefined;
  const rawLines = bytes.subarray(0, end).toString('latin1').split('\n');
  let bareLf = false;
  const lines = rawLines.map((l, i) => {
    if (l.endsWith('\r')) return l.slice(0, -1);
    if (i < rawLines.length - 1) bareLf = true;
    return l;
  });
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: WireHeader[] = [];
  const malformedLines: string[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || /^\s/.test(line)) malformedLines.push(line);
    else headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers, malformedLines, bareLf, length: end };
}

/** Every complete head at the start of bytes, one after the other (1xx heads, then the final one), and what follows them. */
export function leadingResponseHeads(bytes: Buffer): { heads: ResponseHead[]; rest: Buffer } {
  const heads: ResponseHead[] = [];
  let rest = bytes;
  for (let head = parseResponseHead(rest); head; head = parseResponseHead(rest)) {
    heads.push(head);
    rest = rest.subarray(head.length);
    if (head.status >= 200) break;
  }
  return { heads, rest };
}

/** The form of a request target (RFC 9112 §3.2). */
export function targetForm(
  target: string,
  method: string,
): 'absolute-form' | 'origin-form' | 'authority-form host:port' | 'authority-form without port' | 'other' {
  if (/^https?:\/\//i.test(target)) return 'absolute-form';
  if (target.startsWith('/')) return 'origin-form';
  if (method === 'CONNECT' || /^[^/\s]+$/.test(target))
    return /:\d+$/.test(target) ? 'authority-form host:port' : 'authority-form without port';
  return 'other';
}

/** A credentials field split into scheme and the rest (RFC 9110 §11.4). */
export function parseCredentials(value: string): { scheme: string; token: string } {
  const space = value.indexOf(' ');
  return space < 0 ? { scheme: value, token: '' } : { scheme: value.slice(0, space), token: value.slice(space + 1).trim() };
}

/** Text with every occurrence of the case host written as {host}, so values compare across runs. */
export function withHostPlaceholder(text: string, host: string): string {
  return text.split(host).join('{host}');
}

/** A browser's own error page (Chromium's chrome-error:, Firefox's about:neterror, a blank page). */
export function isBrowserErrorPage(url: string): boolean {
  return /^(about:blank|about:neterror|chrome-error:)/.test(url);
}

/** Cookie pairs from a Cookie field or document.cookie ("a=1; b=2"), in order. */
export function cookiePairs(value: string): { name: string; value: string }[] {
  return value
    .split(';')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? { name: pair.trim(), value: '' } : { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() };
    })
    .filter((p) => p.name);
}

/** Cookie names in a Cookie field value or a document.cookie string ("a=1; b=2" → a, b). */
export function cookieNames(value: string): string[] {
  return cookiePairs(value).map((p) => p.name);
}
