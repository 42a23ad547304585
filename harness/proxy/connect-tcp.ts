/**
 * Template-driven CONNECT for TCP (draft-ietf-httpbis-connect-tcp-08): the proxy side. A client
 * asks with an HTTP/1.1 GET + Upgrade: connect-tcp (§3.1) or an HTTP/2 extended CONNECT with
 * :protocol = connect-tcp (§3.2) to a URI built from the proxy's template; the target comes from
 * the template variables target_host and target_port. Every client-side rule of §3.1/§3.2 is
 * checked and recorded. The payload is carried as a raw byte stream (capsules are not
 * implemented). No browser speaks this yet; the unit tests drive it with a Node client.
 */
import type { RequestHead } from '../wire/http-head';

export interface TcpCheck {
  id: string;
  level: 'SHALL' | 'SHOULD';
  ok: boolean;
  detail: string;
}

export interface TcpRequest {
  target?: { host: string; port: number };
  checks: TcpCheck[];
  /** True when every SHALL holds (SHOULDs are reported but do not refuse the request). */
  wellFormed: boolean;
}

/** The default MASQUE template (/.well-known/masque/tcp/{target_host}/{target_port}/) or query form (?target_host=&target_port=). */
export function templateTarget(path: string): { host: string; port: number } | undefined {
  const wk = /^\/\.well-known\/masque\/tcp\/([^/]+)\/(\d+)\/?$/.exec(path.split('?')[0] ?? '');
  if (wk) return { host: decodeURIComponent(wk[1]!).toLowerCase(), port: Number(wk[2]) };
  const q = new URLSearchParams(path.split('?')[1] ?? '');
  const host = q.get('target_host');
  const port = q.get('target_port');
  if (host && port && /^\d+$/.test(port)) return { host: host.toLowerCase(), port: Number(port) };
  return undefined;
}

const values = (head: RequestHead, name: string) => head.headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);

export function isConnectTcp(head: RequestHead): boolean {
  if (head.version === 'HTTP/2') return head.headers.some((h) => h.name === ':protocol' && h.value === 'connect-tcp');
  return values(head, 'upgrade').some((v) =>
    v
      .toLowerCase()
      .split(',')
      .map((t) => t.trim())
      .includes('connect-tcp'),
  );
}

/** §3.1: the HTTP/1.1 form. proxyAuthority is the proxy's own host:port. */
export function checkH1(head: RequestHead, proxyAuthority: string): TcpRequest {
  const hosts = values(head, 'host');
  const connection = values(head, 'connection')
    .join(',')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  const upgrade = values(head, 'upgrade');
  const capsule = values(head, 'capsule-protocol');
  const target = templateTarget(head.target);
  const checks: TcpCheck[] = [
    { id: 'method GET', level: 'SHALL', ok: head.method === 'GET', detail: `method ${head.method}` },
    {
      id: 'template variables',
      level: 'SHALL',
      ok: !!target,
      detail: target ? `target ${target.host}:${target.port}` : `no target_host/target_port in ${head.target}`,
    },
    {
      id: 'single Host naming the proxy',
      level: 'SHALL',
      ok: hosts.length === 1 && hosts[0]!.toLowerCase() === proxyAuthority.toLowerCase(),
      detail: `Host: ${hosts.join(', ') || '(none)'}`,
    },
    {
      id: 'Connection: Upgrade',
      level: 'SHALL',
      ok: connection.includes('upgrade'),
      detail: `Connection: ${values(head, 'connection').join(', ') || '(none)'}`,
    },
    {
      id: 'Upgrade: connect-tcp',
      level: 'SHALL',
      ok: upgrade.length === 1 && upgrade[0]!.trim().toLowerCase() === 'connect-tcp',
      detail: `Upgrade: ${upgrade.join(', ') || '(none)'}`,
    },
    {
      id: 'Capsule-Protocol: ?1',
      level: 'SHOULD',
      ok: capsule.length === 1 && capsule[0] === '?1',
      detail: `Capsule-Protocol: ${capsule.join(', ') || '(none)'}`,
    },
  ];
  return { ...(target ? { target } : {}), checks, wellFormed: checks.every((c) => c.level !== 'SHALL' || c.ok) };
}

/** §3.2: the HTTP/2 extended CONNECT form. */
export function checkH2(head: RequestHead, proxyAuthority: string): TcpRequest {
  const get = (n: string) => head.headers.find((h) => h.name === n)?.value;
  const path = get(':path') ?? '';
  const target = templateTarget(path);
  const checks: TcpCheck[] = [
    { id: ':method CONNECT', level: 'SHALL', ok: get(':method') === 'CONNECT', detail: `:method ${get(':method')}` },
    {
      id: ':protocol connect-tcp',
      level: 'SHALL',
      ok: get(':protocol') === 'connect-tcp',
      detail: `:protocol ${get(':protocol') ?? '(none)'}`,
    },
    {
      id: ':scheme and :path from the template',
      level: 'SHALL',
      ok: !!get(':scheme') && !!target,
      detail: `:scheme ${get(':scheme') ?? '(none)'}, :path ${path || '(none)'}`,
    },
    {
      id: ':authority names the proxy',
      level: 'SHALL',
      ok: (get(':authority') ?? '').toLowerCase() === proxyAuthority.toLowerCase(),
      detail: `:authority ${get(':authority') ?? '(none)'}`,
    },
    {
      id: 'capsule-protocol: ?1',
      level: 'SHOULD',
      ok: get('capsule-protocol') === '?1',
      detail: `capsule-protocol: ${get('capsule-protocol') ?? '(none)'}`,
    },
  ];
  return { ...(target ? { target } : {}), checks, wellFormed: checks.every((c) => c.level !== 'SHALL' || c.ok) };
}
