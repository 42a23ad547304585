/**
 * One visit's page, observed the same way in every client that has one (Playwright's Chromium and
 * Firefox, WebKitGTK over WebDriver): the same in-page script reads it, the same rules turn what
 * it read into the record's page fields, the same expression waits for the WebSocket probe.
 */
import type { NavigationRecord } from '../evidence/record';
import { PROXY_BODY_MARKER, PROXY_STATUS_MARKER } from '../vocabulary/markers';

/** What the page's script reads in one round trip (three calls cost three times as much per case). */
export interface PageRead {
  title: string;
  html: string;
  text: string;
  cookies?: string;
  storage?: string[];
}

/**
 * The in-page expression (Playwright evaluate, WebDriver execute). An error page has an opaque
 * origin, whose document.cookie and localStorage throw: those read as absent ("not read").
 */
export const READ_PAGE_EXPRESSION = `(() => {
  let cookies, storage;
  try { cookies = document.cookie; } catch (e) {}
  try { storage = Object.keys(localStorage); } catch (e) {}
  return {
    title: document.title,
    html: document.documentElement ? document.documentElement.outerHTML : '',
    text: document.body ? document.body.innerText : '',
    cookies,
    storage,
  };
})()`;

/** The WebSocket echo the origin's websocket page reports in #ws-result, once it has one (else undefined). */
export const WS_RESULT_EXPRESSION = `(() => {
  const e = document.getElementById('ws-result');
  const t = e ? e.textContent : '';
  return t && t !== 'pending' ? t : undefined;
})()`;

/** The probe's value when the page reported nothing within the fixture's bound. */
export const WS_NO_RESULT = 'no result within the bound';

export type PageFields = Pick<
  NavigationRecord,
  'finalUrl' | 'title' | 'text' | 'originMarkerFound' | 'proxyMarkerFound' | 'proxyStatusMarkerFound' | 'cookies' | 'storage'
>;

/** The record's page fields from what the script read (nothing read: an empty page) and the URL the page ended at. */
export function pageFields(finalUrl: string, read: Partial<PageRead> | undefined, marker: string): PageFields {
  const title = read?.title ?? '';
  const html = read?.html ?? '';
  return {
    finalUrl,
    ...(typeof read?.cookies === 'string' ? { cookies: read.cookies } : {}),
    ...(Array.isArray(read?.storage) ? { storage: read.storage } : {}),
    title,
    text: (read?.text ?? '').slice(0, 2000),
    originMarkerFound: html.includes(marker),
    proxyMarkerFound: [html, title, finalUrl].some((s) => s.includes(PROXY_BODY_MARKER)),
    proxyStatusMarkerFound: [html, title, finalUrl].some((s) => s.includes(PROXY_STATUS_MARKER)),
  };
}
