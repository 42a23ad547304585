/**
 * Checks that read the same in every case of a family: a fixture names one by its requirement id
 * ("checks": ["resp-non2xx-not-origin", …]) instead of copying it. Their facts join the fixture's
 * observed facts like any other check's.
 */
import type { RequirementId } from '../vocabulary/requirements';
import type { Verdict } from '../vocabulary/verdicts';
import type { FactName } from '../vocabulary/facts';

interface StandardCheck {
  requirement: RequirementId;
  outcomes: { when: Partial<Record<FactName, string | number | (string | number)[]>>; verdict: Verdict; means: string }[];
  otherwise: { verdict: Verdict; means: string };
}

/** A MUST with one passing outcome: every other observation fails it. */
function must(requirement: RequirementId, when: StandardCheck['outcomes'][number]['when'], pass: string, fail: string): StandardCheck {
  return { requirement, outcomes: [{ when, verdict: 'pass', means: pass }], otherwise: { verdict: 'fail', means: fail } };
}

export const STANDARD_CHECKS = {
  // RFC 9110 §9.3.6: any 2xx to CONNECT turns the connection into a tunnel; the origin's page loading is the proof.
  'resp-2xx-tunnel': must(
    'resp-2xx-tunnel',
    { page: 'loaded' },
    "a 2xx: the tunnel works (the origin's page loaded)",
    'a 2xx did not give a working tunnel',
  ),
  // RFC 9110 §9.3.6: a client MUST ignore Content-Length and Transfer-Encoding in a 2xx to CONNECT.
  'resp-2xx-ignore-cl-te': must(
    'resp-2xx-ignore-cl-te',
    { page: 'loaded' },
    'ignores the framing fields; the tunnel works',
    'acts on framing fields in a 2xx to CONNECT',
  ),
  // A redirect in answer to CONNECT comes from the proxy, not the origin: following it lets the proxy steer https navigations.
  'resp-3xx-no-follow': must(
    'resp-3xx-no-follow',
    { 'redirect-followed': 'no' },
    "does not follow the proxy's redirect",
    'follows a redirect the proxy sent in answer to CONNECT',
  ),
  // RFC 9110 §9.3.6: a non-2xx answer means the connection is not a tunnel: no TLS to the origin, no origin page.
  'resp-non2xx-no-tunnel': must(
    'resp-non2xx-no-tunnel',
    { 'origin-tls': 'none', page: ['error page', 'other content'] },
    'no tunnel after the refusal',
    'treated a non-2xx answer as a tunnel',
  ),
  // CVE-2009-1836: whatever the client does with a refusal, the proxy's body is not the origin's page.
  'resp-non2xx-not-origin': must(
    'resp-non2xx-not-origin',
    { 'proxy-body-shown': 'no' },
    "the proxy's body is not shown as the origin",
    "the proxy's body appears under the https origin (CVE-2009-1836)",
  ),
  // CVE-2013-0776: a 407's body (a proxy's sign-in page) is never shown under the https URL.
  'sec-407-body': must(
    'sec-407-body',
    { 'proxy-body-shown': 'no' },
    "the 407's body is not shown under the https URL",
    "the 407's body appears under the https URL (CVE-2013-0776)",
  ),
  // RFC 9112 §8: an answer cut off before its header section ends is incomplete: nothing of it may
  // become the https page (Firefox committed such answers as status 200, or even "20").
  'resp-incomplete-head': must(
    'resp-incomplete-head',
    { 'committed-status': 'none' },
    'nothing was committed under the https URL from an answer whose header section never ended',
    'an answer to CONNECT whose header section never ended was committed as the https page (RFC 9112 §8)',
  ),
} satisfies Partial<Record<RequirementId, StandardCheck>>;

export type StandardCheckId = keyof typeof STANDARD_CHECKS;
export const STANDARD_CHECK_IDS = Object.keys(STANDARD_CHECKS) as [StandardCheckId, ...StandardCheckId[]];

export function standardCheck(id: StandardCheckId): StandardCheck {
  return structuredClone(STANDARD_CHECKS[id]) as StandardCheck;
}
