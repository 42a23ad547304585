/** What the routers need from the proxy: the case owning a host, the origin, and a way to refuse. */
import type { CaseSession, TunnelTarget } from './case-session';

export interface Routing {
  /** The case owning a host: the case host itself or any name under it (elsewhere.<case host>). */
  sessionFor(host: string): CaseSession | undefined;
  /** Records a request for a host no case owns (background traffic, a stale retry). */
  stray(connectionId: number, requestLine: string, host?: string): void;
  readonly target: TunnelTarget;
  /** The proxy's own host:port, which connect-tcp requests must name. */
  readonly authority: string;
}

export const REFUSAL_BODY = 'connect-conformance: no case owns this host';
