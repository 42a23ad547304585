/** Pieces of step execution shared by the HTTP/1.1 connection and the HTTP/2 stream. */
import { hexBytes, latin1Bytes } from '../wire/bytes';
import { findHeadEnd } from '../wire/http-head';
import type { Step } from '../cases/schema';

type SendStep = Extract<Step, { do: 'send' }>;

/** A head with a Content-Length field for the bytes after it, added as its last field. */
export function withContentLength(bytes: Buffer): Buffer {
  const end = findHeadEnd(bytes);
  if (end < 0) throw new Error('"contentLength": "auto" needs a complete response head in "text"');
  const crlf = bytes[end - 2] === 0x0d;
  const eol = crlf ? '\r\n' : '\n';
  const field = Buffer.from(`Content-Length: ${bytes.length - end}${eol}`, 'latin1');
  const blank = end - eol.length;
  return Buffer.concat([bytes.subarray(0, blank), field, bytes.subarray(blank)]);
}

/** The segments a send step writes: {host} and friends filled in, Content-Length, repeat and chunkBytes applied. */
export function sendSegments(step: SendStep, vars: Readonly<Record<string, string>>): Buffer[] {
  const fill = (text: string) => text.replace(/\{([a-z-]+)\}/g, (m, k: string) => vars[k] ?? m);
  let chunks = step.segments
    ? step.segments.map((s) => ('text' in s ? latin1Bytes(fill(s.text)) : hexBytes(s.hex)))
    : [step.text !== undefined ? latin1Bytes(fill(step.text)) : hexBytes(step.hex ?? '')];
  if (step.contentLength === 'auto') chunks = [withContentLength(Buffer.concat(chunks))];
  if (step.repeat) chunks = [Buffer.concat(Array.from({ length: step.repeat }, () => Buffer.concat(chunks)))];
  if (step.chunkBytes) {
    const all = Buffer.concat(chunks);
    const size = step.chunkBytes;
    chunks = Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.subarray(i * size, (i + 1) * size));
  }
  return chunks;
}

/** Resolves after ms, or at once when the signal aborts; leaves no listener behind. */
export function abortableSleep(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A wait step sleeps its ms; a hold step also ends as soon as the client goes away. */
export async function pause(step: Extract<Step, { do: 'wait' | 'hold' }>, signal: AbortSignal, clientGone: Promise<void>): Promise<void> {
  const sleep = abortableSleep(signal, step.ms);
  await (step.do === 'hold' ? Promise.race([sleep, clientGone]) : sleep);
}
