/** The first request at the proxy, as sent: request line, target form, header order and values. */
import { headerValue, targetForm, withHostPlaceholder, type RequestHead } from '../wire/http-head';
import type { Facts } from '../vocabulary/facts';

export function requestFacts(first: RequestHead, host: string): Facts {
  const hostValue = headerValue(first, 'host');
  const hostIndex = first.headers.findIndex((h) => h.name.toLowerCase() === 'host');
  const cl = headerValue(first, 'content-length');
  const te = headerValue(first, 'transfer-encoding');
  const content = [cl !== undefined ? `Content-Length: ${cl}` : '', te !== undefined ? `Transfer-Encoding: ${te}` : ''].filter(Boolean);
  return {
    'request-line': withHostPlaceholder(`${first.method} ${first.target} ${first.version}`, host),
    'request-version': first.version,
    'pseudo-headers':
      first.headers
        .filter((h) => h.name.startsWith(':'))
        .map((h) => h.name)
        .join(', ') || 'none',
    'request-target': targetForm(first.target, first.method),
    'request-headers': first.headers.map((h) => h.name).join(', '),
    'request-headers-values': withHostPlaceholder(first.headers.map((h) => `${h.name}: ${h.value}`).join(' | '), host),
    'host-header': hostValue === undefined ? 'absent' : withHostPlaceholder(hostValue, host),
    'host-first': hostIndex < 0 ? 'absent' : hostIndex === 0 ? 'yes' : 'no',
    'proxy-connection': headerValue(first, 'proxy-connection') ?? 'absent',
    connection: headerValue(first, 'connection') ?? 'absent',
    'request-content': content.length ? content.join(', ') : 'none',
  };
}
