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

/** A MUST whose proof is the origin's page loading through the tunnel. */
function tunnelWorks(requirement: RequirementId, pass: string, fail: string): StandardCheck {
  return {
    requirement,
    outcomes: [{ when: { page: 'loaded' }, verdict: 'pass', means: pass }],
    otherwise: { verdict: 'fail', means: fail },
  };
}

export const STANDARD_CHECKS = {
  // RFC 9110 §9.3.6: any 2xx to CONNECT turns the connection into a tunnel; the origin's page loading is the proof.
  'resp-2xx-tunnel': tunnelWorks(
    'resp-2xx-tunnel',
    "a 2xx: the tunnel works (the origin's page loaded)",
    'a 2xx did not give a working tunnel',
  ),
  // RFC 9110 §9.3.6: a client MUST ignore Content-Length and Transfer-Encoding in a 2xx to CONNECT.
  'resp-2xx-ignore-cl-te': tunnelWorks(
    'resp-2xx-ignore-cl-te',
    'ignores the framing fields; the tunnel works',
    'acts on framing fields in a 2xx to CONNECT',
  ),
  // A redirect in answer to CONNECT comes from the proxy, not the origin: following it lets the proxy steer https navigations.
  'resp-3xx-no-follow': {
    requirement: 'resp-3xx-no-follow',
    outcomes: [{ when: { 'redirect-followed': 'no' }, verdict: 'pass', means: "does not follow the proxy's redirect" }],
    otherwise: { verdict: 'fail', means: 'follows a redirect the proxy sent in answer to CONNECT' },
  },
  // RFC 9110 §9.3.6: a non-2xx answer means the connection is not a tunnel: no TLS to the origin, no origin page.
  'resp-non2xx-no-tunnel': {
    requirement: 'resp-non2xx-no-tunnel',
    outcomes: [
      { when: { 'origin-tls': 'none', page: ['error page', 'other content'] }, verdict: 'pass', means: 'no tunnel after the refusal' },
    ],
    otherwise: { verdict: 'fail', means: 'treated a non-2xx answer as a tunnel' },
  },
  // CVE-2009-1836: whatever the client does with a refusal, the proxy's body is not the origin's page.
  'resp-non2xx-not-origin': {
    requirement: 'resp-non2xx-not-origin',
    outcomes: [{ when: { 'proxy-body-shown': 'no' }, verdict: 'pass', means: "the proxy's body is not shown as the origin" }],
    otherwise: { verdict: 'fail', means: "the proxy's body appears under the https origin (CVE-2009-1836)" },
  },
  // CVE-2013-0776: a 407's body (a proxy's sign-in page) is never shown under the https URL.
  'sec-407-body': {
    requirement: 'sec-407-body',
    outcomes: [{ when: { 'proxy-body-shown': 'no' }, verdict: 'pass', means: "the 407's body is not shown under the https URL" }],
    otherwise: { verdict: 'fail', means: "the 407's body appears under the https URL (CVE-2013-0776)" },
  },
  // RFC 9112 §8: an answer cut off before its header section ends is incomplete: nothing of it may
  // become the https page (Firefox committed such answers as status 200, or even "20").
  'resp-incomplete-head': {
    requirement: 'resp-incomplete-head',
    outcomes: [
      {
        when: { 'committed-status': 'none' },
        verdict: 'pass',
        means: 'nothing was committed under the https URL from an answer whose header section never ended',
      },
    ],
    otherwise: {
      verdict: 'fail',
      means: 'an answer to CONNECT whose header section never ended was committed as the https page (RFC 9112 §8)',
    },
  },
} as const satisfies Partial<Record<RequirementId, StandardCheck>>;

export type StandardCheckId = keyof typeof STANDARD_CHECKS;
export const STANDARD_CHECK_IDS = Object.keys(STANDARD_CHECKS) as [StandardCheckId, ...StandardCheckId[]];

export function standardCheck(id: StandardCheckId): StandardCheck {
  return structuredClone(STANDARD_CHECKS[id]) as StandardCheck;
}
