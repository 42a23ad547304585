/**
 * Normalises a failed navigation to one code. Chromium puts net::ERR_* in the message; Firefox
 * under WebDriver BiDi starts with a generic "unknown error" line and carries NS_ERROR_* (or
 * NS_BINDING_*) further down, so the code is searched for, not taken from the first line.
 */
import { stripAnsi } from '../wire/bytes';

export interface NavigationError {
  code: string;
  /** The message as the automation reported it (kept as evidence). */
  raw: string;
}

export function normaliseNavigationError(err: unknown): NavigationError {
  const e = err as { name?: string; message?: string };
  // Playwright colours parts of its messages for terminals: evidence keeps the text, not the escapes.
  const raw = stripAnsi(String(e?.message ?? err));
  if (e?.name === 'TimeoutError' || /Timeout \d+ms exceeded/.test(raw)) return { code: 'timeout', raw };
  const chromium = /net::(ERR_[A-Z0-9_]+)/.exec(raw);
  if (chromium) return { code: `net::${chromium[1]}`, raw };
  const firefox = /\b(NS_(?:ERROR|BINDING)_[A-Z0-9_]+)\b/.exec(raw);
  if (firefox) return { code: firefox[1]!, raw };
  const firstLine = raw.split('\n').find((l) => l.trim()) ?? raw;
  return { code: `other: ${firstLine.replace(/^page\.goto: /, '').slice(0, 120)}`, raw };
}
