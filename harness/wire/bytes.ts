/**
 * Byte helpers shared by the proxy (which sends fixture bytes) and the report (which shows them).
 * Fixture text is Latin-1 on purpose: one character is one byte, so any byte is expressible in
 * JSON ("\u0000", "\u00ff") and nothing is silently UTF-8 encoded into two bytes.
 */

/** Encodes fixture text as bytes; throws if a character cannot be one byte. */
export function latin1Bytes(text: string): Buffer {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) {
      throw new Error(
        `character U+${text.charCodeAt(i).toString(16).padStart(4, '0')} at index ${i} is not a single byte (use "hex" for raw bytes)`,
      );
    }
  }
  return Buffer.from(text, 'latin1');
}

/** Parses "16 03 01" / "160301" into bytes. */
export function hexBytes(hex: string): Buffer {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not an even-length hex string: ${JSON.stringify(hex.slice(0, 40))}`);
  return Buffer.from(clean, 'hex');
}

/** A TLS record of type handshake (0x16) with a 3.x version: how a ClientHello begins. */
export function beginsTlsHandshake(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x16 && bytes[1] === 0x03;
}

/** Printable-ASCII rendering with every other byte escaped, for one-line summaries. */
export function escapeBytes(bytes: Uint8Array, max = 400): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  if (bytes.length > max) out += `… (+${bytes.length - max} bytes)`;
  return out;
}

/** Classic 16-bytes-a-line hex + ASCII dump. */
export function hexDump(bytes: Uint8Array, maxBytes = 4096): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, maxBytes);
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > maxBytes) lines.push(`… ${bytes.length - maxBytes} more bytes`);
  return lines.join('\n');
}

/** Text without terminal colour and cursor escapes (Playwright's error messages carry them). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
}
