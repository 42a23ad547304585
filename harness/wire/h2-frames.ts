/**
 * The HTTP/2 frame layer at the byte level (RFC 9113 §4.1, §6): enough to read every frame a
 * client sends and the proxy's HTTP/2 library writes, to rewrite the SETTINGS a case advertises,
 * and to build the frames no library sends on request (DATA before HEADERS, a HEADERS frame after
 * the tunnel's 2xx, WINDOW_UPDATE and GOAWAY with whatever values the case names).
 */

/** Frame types by code (RFC 9113 §6). */
export const FRAME_TYPES = [
  'DATA',
  'HEADERS',
  'PRIORITY',
  'RST_STREAM',
  'SETTINGS',
  'PUSH_PROMISE',
  'PING',
  'GOAWAY',
  'WINDOW_UPDATE',
  'CONTINUATION',
] as const;
export type FrameTypeName = (typeof FRAME_TYPES)[number];

/** Error codes by value (RFC 9113 §7): a fixture names them, evidence stores the number. */
export const ERROR_CODES = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;
export type ErrorCodeName = keyof typeof ERROR_CODES;

export function errorCodeName(code: number): string {
  return (Object.keys(ERROR_CODES) as ErrorCodeName[]).find((n) => ERROR_CODES[n] === code) ?? `0x${code.toString(16)}`;
}

/** SETTINGS identifiers a case can advertise (RFC 9113 §6.5.2). */
export const SETTINGS_IDS = { MAX_CONCURRENT_STREAMS: 0x3, INITIAL_WINDOW_SIZE: 0x4 } as const;

export const FLAG_END_STREAM = 0x1;
export const FLAG_ACK = 0x1;
export const FLAG_END_HEADERS = 0x4;

/** The client connection preface (RFC 9113 §3.4): 24 bytes before the client's first frame. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface RawFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

export function typeName(type: number): string {
  return FRAME_TYPES[type] ?? `0x${type.toString(16)}`;
}

export function encodeFrame(f: RawFrame): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(f.payload.length, 0, 3);
  head.writeUInt8(f.type, 3);
  head.writeUInt8(f.flags, 4);
  head.writeUInt32BE(f.stream & 0x7fffffff, 5);
  return Buffer.concat([head, f.payload]);
}

/** Splits a byte stream into whole frames; bytes of an incomplete frame wait for the rest. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private prefaceLeft: number;

  constructor(expectPreface: boolean) {
    this.prefaceLeft = expectPreface ? CLIENT_PREFACE.length : 0;
  }

  /** The whole frames now available, each with its bytes as they arrived. */
  push(chunk: Buffer): { frame: RawFrame; bytes: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.prefaceLeft) {
      const skip = Math.min(this.prefaceLeft, this.buf.length);
      this.prefaceLeft -= skip;
      this.buf = this.buf.subarray(skip);
    }
    const out: { frame: RawFrame; bytes: Buffer }[] = [];
    while (this.buf.length >= 9) {
      const length = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + length) break;
      const bytes = this.buf.subarray(0, 9 + length);
      out.push({
        bytes,
        frame: {
          type: bytes.readUInt8(3),
          flags: bytes.readUInt8(4),
          stream: bytes.readUInt32BE(5) & 0x7fffffff,
          payload: bytes.subarray(9),
        },
      });
      this.buf = this.buf.subarray(9 + length);
    }
    return out;
  }

  /** Bytes held back as the start of a frame not yet complete. */
  get pending(): Buffer {
    return this.buf;
  }
}

export function settingsEntries(payload: Buffer): { id: number; value: number }[] {
  const out: { id: number; value: number }[] = [];
  for (let i = 0; i + 6 <= payload.length; i += 6) out.push({ id: payload.readUInt16BE(i), value: payload.readUInt32BE(i + 2) });
  return out;
}

/** A SETTINGS payload with the named values replaced (or added), the others kept in order. */
export function rewriteSettings(payload: Buffer, values: ReadonlyMap<number, number>): Buffer {
  const entries = settingsEntries(payload).filter((e) => !values.has(e.id));
  for (const [id, value] of values) entries.push({ id, value });
  const out = Buffer.alloc(entries.length * 6);
  entries.forEach((e, i) => {
    out.writeUInt16BE(e.id, i * 6);
    out.writeUInt32BE(e.value, i * 6 + 2);
  });
  return out;
}

export function windowUpdate(stream: number, increment: number): RawFrame {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment & 0x7fffffff);
  return { type: 8, flags: 0, stream, payload };
}

export function goaway(lastStreamId: number, errorCode: number): RawFrame {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(errorCode, 4);
  return { type: 7, flags: 0, stream: 0, payload };
}

export function data(stream: number, bytes: Buffer, endStream = false): RawFrame {
  return { type: 0, flags: endStream ? FLAG_END_STREAM : 0, stream, payload: bytes };
}

/** An HPACK integer with an N-bit prefix (RFC 7541 §5.1). */
function hpackInt(value: number, prefixBits: number, firstByteFlags: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [firstByteFlags | value];
  const out = [firstByteFlags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

const hpackString = (s: string): Buffer => {
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.concat([Buffer.from(hpackInt(bytes.length, 7, 0)), bytes]);
};

/**
 * A HEADERS frame (END_HEADERS, END_STREAM only when asked) whose fields are HPACK literals without
 * indexing and with new names (RFC 7541 §6.2.2): it leaves both dynamic tables untouched, so it can
 * be slipped between the frames of a library that keeps its own HPACK state.
 */
export function literalHeaders(stream: number, fields: readonly { name: string; value: string }[], endStream = false): RawFrame {
  const block = Buffer.concat(fields.flatMap((f) => [Buffer.from([0x00]), hpackString(f.name.toLowerCase()), hpackString(f.value)]));
  return { type: 1, flags: FLAG_END_HEADERS | (endStream ? FLAG_END_STREAM : 0), stream, payload: block };
}
