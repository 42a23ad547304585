/**
 * The fixture format. One JSON file per case under fixtures/; fixtures/schema.json is generated
 * from this module (`npm run schema`) so editors validate while you type.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { REQUIREMENT_IDS, type RequirementId } from '../vocabulary/requirements';
import { CITATIONS_2015 } from '../vocabulary/history-2015';
import { STABLE_FACT_NAMES, type FactName } from '../vocabulary/facts';
import { CERTIFICATE_DEFECTS, TRANSPORT_NAMES } from '../vocabulary/transports';
import { VERDICTS } from '../vocabulary/verdicts';
import { ERROR_CODES, type ErrorCodeName } from '../wire/h2-frames';
import { STANDARD_CHECK_IDS } from './standard-checks';

/** The families of cases, in the order a reader meets them: the request, then answers from best to worst. */
export const GROUPS = [
  'request form',
  '2xx',
  'early data',
  '1xx',
  'non-2xx',
  '407',
  'transport faults',
  'http/2',
  'websocket',
  'security',
  'consequences',
  'proxy features',
  'other',
] as const;
export type Group = (typeof GROUPS)[number];

/**
 * The folder under fixtures/ that holds each group's files: a file's folder gives its group, so a
 * fixture does not write it. A file in any other folder (an outside set) is "other" unless it says.
 */
export const GROUP_FOLDERS: Readonly<Record<string, Group>> = {
  'request-form': 'request form',
  '2xx': '2xx',
  'early-data': 'early data',
  '1xx': '1xx',
  'non-2xx': 'non-2xx',
  '407': '407',
  'transport-faults': 'transport faults',
  http2: 'http/2',
  websocket: 'websocket',
  security: 'security',
  consequences: 'consequences',
  'proxy-features': 'proxy features',
};

const ms = (max: number) => z.number().int().min(0).max(max);
const hex = z.string().regex(/^(\s*[0-9a-fA-F]{2})*\s*$/, 'must be hex byte pairs such as "16 03 01"');
/** Fixture text is Latin-1: each character is one byte (escape others as \u00XX in JSON). */
const latin1 = z.string().regex(/^[\u0000-\u00ff]*$/, 'must be Latin-1 text (one byte per character); use "hex" for other bytes');

/** The reason phrase a head gets when it names none: the one every proxy sends for 200, else the standard one. */
export function defaultReason(status: number): string {
  return status === 200 ? 'Connection established' : (STATUS_CODES[status] ?? '');
}

const responseHead = z.strictObject({
  version: z.enum(['HTTP/1.1', 'HTTP/1.0']).default('HTTP/1.1'),
  status: z.number().int().min(100).max(999),
  reason: latin1
    .regex(/^[^\r\n]*$/, 'one line')
    .optional()
    .describe('Default: "Connection established" for 200, else the standard phrase (Forbidden, Proxy Authentication Required, …).'),
  headers: z
    .array(latin1.regex(/^[^\r\n]+$/, 'one field line, without CR or LF (use "text" for malformed heads)'))
    .default([])
    .describe('Field lines in order, e.g. "Content-Length: 0".'),
});

/** The bytes of a head written as fields. */
export function headText(head: z.output<typeof responseHead>): string {
  const reason = head.reason ?? defaultReason(head.status);
  return `${head.version} ${head.status} ${reason}\r\n${head.headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

const segment = z.union([z.strictObject({ text: latin1 }), z.strictObject({ hex })]);

const sendStep = z
  .strictObject({
    do: z.literal('send'),
    text: latin1.optional(),
    hex: hex.optional(),
    segments: z.array(segment).min(1).optional(),
    head: responseHead
      .optional()
      .describe(
        'A well-formed response head, written as fields: the bytes are derived ("HTTP/1.1 200 Connection established\\r\\n\\r\\n" for { "status": 200 }).',
      ),
    body: latin1.optional().describe('Bytes sent right after "head" (with "head" only).'),
    repeat: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Send the bytes this many times over (for header sections near size limits).'),
    chunkBytes: z.number().int().min(1).optional().describe('Split what is sent into segments of this many bytes (1 = byte by byte).'),
    gapMs: ms(10_000).optional().describe('Delay between segments (each segment is written as its own TCP segment).'),
    contentLength: z
      .literal('auto')
      .optional()
      .describe('"auto": the proxy adds a Content-Length field (last in the head) counting the bytes after the head; needs "text".'),
    note: z.string().optional(),
  })
  .refine((s) => [s.text, s.hex, s.segments, s.head].filter((v) => v !== undefined).length === 1, {
    message: 'a send step needs exactly one of "head", "text", "hex" or "segments"',
  })
  .refine((s) => s.body === undefined || s.head !== undefined, { message: '"body" goes with "head"', path: ['body'] })
  .refine((s) => s.contentLength === undefined || s.text !== undefined || s.head !== undefined, {
    message: '"contentLength": "auto" needs "head" or "text" (a head and its body)',
    path: ['contentLength'],
  });

const h2ErrorCode = z
  .union([z.enum(Object.keys(ERROR_CODES) as [ErrorCodeName, ...ErrorCodeName[]]), z.number().int().min(0).max(0xffffffff)])
  .describe('An HTTP/2 error code by name (RFC 9113 §7, e.g. "REFUSED_STREAM") or number.');

/**
 * Steps that act on the HTTP/2 session or write frames beside the library (HTTP/2 only, so a
 * fixture using one lists only "h2" in "transports"). "this stream" is the CONNECT stream the
 * exchange answers.
 */
function h2Steps() {
  return [
    z
      .strictObject({ do: z.literal('rst-stream'), code: h2ErrorCode, note: z.string().optional() })
      .describe('HTTP/2: reset this stream with RST_STREAM and this error code (terminal).'),
    z
      .strictObject({
        do: z.literal('goaway'),
        lastStream: z
          .enum(['below', 'at', 'above'])
          .describe(
            'The last-stream-id GOAWAY names: the stream below this one (this one was not processed), this one, or the one above it.',
          ),
        code: h2ErrorCode.default('NO_ERROR'),
        note: z.string().optional(),
      })
      .describe(
        'HTTP/2: a GOAWAY frame on the session, written beside the library (which keeps serving: what the client does next is the observation).',
      ),
    z
      .strictObject({ do: z.literal('ping'), note: z.string().optional() })
      .describe('HTTP/2: a PING on the session (the ACK and its time are in the session log).'),
    z
      .strictObject({ do: z.literal('window-update'), increment: z.number().int().min(1).max(0x7fffffff), note: z.string().optional() })
      .describe('HTTP/2: a WINDOW_UPDATE for this stream (with "session.initialWindowSize" 0, the grant that lets the client send).'),
    z
      .strictObject({
        do: z.literal('headers-frame'),
        headers: z.array(latin1.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [^\r\n]*$/, 'must be one "name: value" field line')).min(1),
        endStream: z.boolean().default(false),
        note: z.string().optional(),
      })
      .describe(
        'HTTP/2: a HEADERS frame on this stream after its response (trailers on a tunnel, which RFC 9113 §8.5 forbids: the client must treat it as a stream error).',
      ),
    z
      .strictObject({ do: z.literal('data-frame'), text: latin1, note: z.string().optional() })
      .describe('HTTP/2: a DATA frame on this stream whatever its state (before any response: DATA before HEADERS, a stream error).'),
  ] as const;
}

const stepObject = z.discriminatedUnion('do', [
  sendStep,
  z.strictObject({ do: z.literal('wait'), ms: ms(60_000), note: z.string().optional() }),
  z
    .strictObject({ do: z.literal('hold'), ms: ms(60_000), note: z.string().optional() })
    .describe('Keep the connection open for ms, ending early when the client closes.'),
  z
    .strictObject({
      do: z.literal('tunnel'),
      closeIfSilentMs: ms(60_000)
        .optional()
        .describe(
          'Close the connection if the client has sent nothing into the tunnel this long after it opened (a client that took the 2xx for the start of a body waits for a close).',
        ),
      note: z.string().optional(),
    })
    .describe('Splice the connection into the in-process TLS origin (terminal).'),
  z
    .strictObject({ do: z.literal('fin'), note: z.string().optional() })
    .describe('Half-close: send FIN, keep reading until the client closes (terminal).'),
  z.strictObject({ do: z.literal('close'), note: z.string().optional() }).describe('FIN and stop reading (terminal).'),
  z.strictObject({ do: z.literal('reset'), note: z.string().optional() }).describe('Abort with TCP RST (terminal).'),
  ...h2Steps(),
]);

/** The steps that exist only over HTTP/2. */
export const H2_STEPS = new Set(['rst-stream', 'goaway', 'ping', 'window-update', 'headers-frame', 'data-frame']);

/** Steps that need no argument can be written as their name alone: "tunnel" is { "do": "tunnel" }. */
const BARE_STEPS = ['tunnel', 'fin', 'close', 'reset'] as const;

/** What the proxy and the engine see: a head written as fields is its bytes by now. */
function toStep(s: z.output<typeof stepObject> | (typeof BARE_STEPS)[number]) {
  if (typeof s === 'string') return { do: s };
  if (s.do !== 'send' || s.head === undefined) return s;
  const { head, body, ...rest } = s;
  return { ...rest, text: headText(head) + (body ?? '') };
}

const step = z
  .union([z.enum(BARE_STEPS).describe('A step that needs no argument, by name.'), stepObject])
  .transform((s) => toStep(s) as Exclude<z.output<typeof stepObject>, { do: 'send' }> | SendStep);
type SendStep = Omit<Extract<z.output<typeof stepObject>, { do: 'send' }>, 'head' | 'body'>;

const exchangeObject = z.strictObject({
  when: z
    .strictObject({
      proxyAuthorization: z.enum(['absent', 'present']).optional(),
      connection: z.number().int().min(1).optional().describe('1-based index of the TCP connection within the case.'),
      requestOnConnection: z.number().int().min(1).optional().describe('1-based index of the request on its connection.'),
      method: z
        .string()
        .regex(/^[A-Z]+$/)
        .optional()
        .describe('The request method, e.g. "CONNECT" or "GET" (absolute-form).'),
      visit: z
        .number()
        .int()
        .min(1)
        .max(5)
        .optional()
        .describe('1-based index of the client visit in progress (a fixture with several visits answers one of them differently).'),
      requestInVisit: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe('1-based index of the request among those the proxy received since the visit began (1: only its first request).'),
      host: z
        .enum(['case', 'subdomain'])
        .optional()
        .describe('"subdomain": a request for a host under the case host (e.g. a followed redirect to elsewhere.{host}).'),
    })
    .optional(),
  steps: z.array(step).min(1),
  note: z.string().optional(),
  working: z
    .literal(true)
    .optional()
    .describe(
      "A helper, not the answer under test (a later visit's working tunnel): requests it answers do not count in the fact answer-served, and a case with such helpers cannot pass where no request got the answer under test.",
    ),
});

/**
 * Exchanges every family uses, by name (cache-tests' templates): "tunnel" answers 200 Connection
 * established and splices the connection into the origin.
 */
export const NAMED_EXCHANGES = {
  tunnel: { steps: [{ do: 'send', text: 'HTTP/1.1 200 Connection established\r\n\r\n' }, { do: 'tunnel' }] },
} as const satisfies Record<string, z.input<typeof exchangeObject>>;

const exchange = z.union([
  z
    .enum(Object.keys(NAMED_EXCHANGES) as [keyof typeof NAMED_EXCHANGES])
    .describe('A standard exchange by name: "tunnel" = 200 Connection established, then the tunnel.')
    .transform((name) => exchangeObject.parse(NAMED_EXCHANGES[name])),
  exchangeObject,
]);

const factValue = z.union([z.string(), z.number()]);
const factMatch = z.partialRecord(z.enum(STABLE_FACT_NAMES), z.union([factValue, z.array(factValue).min(1)]));
const verdict = z.enum(VERDICTS);

const outcome = z.strictObject({
  when: factMatch.describe('Every named fact must equal the value (or one of the listed values).'),
  verdict,
  means: z.string().min(1).describe('What this outcome means, in a few words, for the report.'),
});

const check = z.strictObject({
  requirement: z.enum(REQUIREMENT_IDS),
  outcomes: z.array(outcome),
  otherwise: z.strictObject({ verdict, means: z.string().min(1) }),
});
/** A requirement id alone names its standard check (harness/cases/standard-checks.ts): one definition for a family of cases. */
const standardCheck = z.enum(STANDARD_CHECK_IDS);

const history = z.strictObject({
  cite: z.enum(CITATIONS_2015),
  observed: z.string().min(1).describe('What the 2015 page says this browser did.'),
  facts: factMatch.describe("The 2015 observation in this suite's fact vocabulary; empty when not comparable."),
  comparable: z.string().optional().describe('Why the 2015 observation cannot be compared, when facts is empty.'),
});

export const fixtureSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
    .max(48, 'at most 48 characters (it becomes part of a DNS label)')
    .describe('The file name without ".json": leave it out (a family\'s variants name their own).'),
  title: z.string().min(1),
  description: z.string().default('').describe('What the case does and why it matters (the built-in cases all have one).'),
  group: z.enum(GROUPS).describe('The folder under fixtures/ names it: leave it out (files in other folders are "other" unless they say).'),
  transports: z
    .array(z.enum(TRANSPORT_NAMES))
    .min(1)
    .default(['h1'])
    .describe(
      'How clients reach the proxy in this case: "h1" plain HTTP/1.1 proxy, "h1-tls" HTTPS proxy offering only http/1.1, "h2" HTTPS proxy offering h2 (steps are translated to HEADERS/DATA/END_STREAM/RST_STREAM).',
    ),
  client: z
    .strictObject({
      action: z
        .enum(['navigate', 'websocket'])
        .default('navigate')
        .describe('"websocket": navigate, then wait for the page\'s WebSocket echo to its own origin (needs origin.page "websocket").'),
      url: z
        .string()
        .regex(/\{host\}/, 'must contain {host}')
        .default('https://{host}/'),
      credentials: z.strictObject({ username: z.string().min(1), password: z.string() }).optional(),
      timeoutMs: ms(60_000)
        .default(5_000)
        .describe('Bound on the navigation; reaching it is an observation ("no outcome"), not a harness error.'),
      visits: z
        .number()
        .int()
        .min(1)
        .max(5)
        .default(1)
        .describe('How many times to navigate to the URL, one after the other, in the same context.'),
      crashIsFinding: z
        .boolean()
        .optional()
        .describe(
          'A client that dies during the navigation is an observation ("client crashed") for this case, not a harness error: for answers that once crashed browsers (sec-malformed-challenge). The client is relaunched for the next case either way.',
        ),
      urls: z
        .array(z.string().regex(/\{host\}/, 'must contain {host}'))
        .min(1)
        .max(5)
        .optional()
        .describe('One URL per visit, in order (for a case whose visits differ, e.g. https: then http:); overrides "url" and "visits".'),
      dwellMs: ms(5_000)
        .optional()
        .describe('Stay this long on each page after its load before reading it (a Refresh to follow), then wait for any load it started.'),
      cookieJar: z
        .boolean()
        .optional()
        .describe(
          "The case reads the client's state across visits (cookie jar, document.cookie, storage, HSTS, Alt-Svc): clients without a page are unsupported.",
        ),
    })
    .default({ action: 'navigate', url: 'https://{host}/', timeoutMs: 5_000, visits: 1 }),
  origin: z
    .strictObject({
      connection: z
        .enum(['keep-alive', 'close'])
        .default('keep-alive')
        .describe('"close": the origin closes the tunnelled connection after each response.'),
      protocol: z.enum(['h1', 'h2']).default('h1').describe('What the origin offers by ALPN inside the tunnel.'),
      connectProtocol: z.boolean().default(false).describe('With h2: SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 extended CONNECT).'),
      page: z
        .enum(['plain', 'websocket'])
        .default('plain')
        .describe('"websocket": the page opens a WebSocket to /ws on its own origin and reports the echo.'),
      subresources: z
        .number()
        .int()
        .min(1)
        .max(6)
        .optional()
        .describe(
          'The page loads this many images from the hosts s1.{host}, s2.{host}…, each needing a tunnel of its own: one case sees several CONNECTs (over HTTP/2, several streams on one session). The origin records each image request.',
        ),
      upgradeHeader: z.string().optional().describe('An Upgrade field the origin adds to its responses, e.g. "TLS/1.0" (RFC 2817).'),
      routes: z
        .record(
          z.string().regex(/^\/[^\s?#]*$/, 'must be a path such as "/cc-answer"'),
          z.strictObject({
            status: z.number().int().min(200).max(399).default(200),
            headers: z
              .array(latin1.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [^\r\n]*$/, 'must be one "Name: value" field line'))
              .default([])
              .describe(
                'Fields the origin adds to its answer for this path ({host} is filled in): the positive controls of the consequence matrix.',
              ),
            storage: z
              .literal('set')
              .optional()
              .describe('"set": the page stores the item cc_origin in localStorage (Clear-Site-Data cases).'),
          }),
        )
        .optional()
        .describe("Per path, what the origin's answer carries beyond the page: a status, fields, a storage item."),
    })
    .default({ connection: 'keep-alive', protocol: 'h1', connectProtocol: false, page: 'plain' }),
  proxy: z.strictObject({
    exchanges: z.array(exchange).min(1),
    certificate: z
      .enum(CERTIFICATE_DEFECTS)
      .optional()
      .describe(
        'The HTTPS proxy presents a defective certificate for this case (sec-proxy-cert): "wrong-name", "expired" or "untrusted" (an issuer the client was not given). Needs an HTTPS proxy transport.',
      ),
    clientCertificate: z
      .literal('request')
      .optional()
      .describe(
        '"request": the HTTPS proxy asks for a client certificate (CertificateRequest) and accepts any answer, none included (proxy-client-cert). Needs an HTTPS proxy transport.',
      ),
    first: z
      .union([
        z.literal('refused').describe("Nothing listens on the first proxy's port: the connection is refused."),
        z
          .literal('not-tls')
          .describe(
            'The first proxy is "HTTPS a" in the PAC, and answers the TLS ClientHello with plain HTTP bytes and a close: the TLS handshake fails.',
          ),
        z
          .strictObject({ exchanges: z.array(exchange).min(1) })
          .describe('The first proxy is "PROXY a", a plain HTTP proxy running this script.'),
      ])
      .optional()
      .describe(
        'The "list" transport only: the PAC gives "PROXY a; PROXY b" (or "HTTPS a; PROXY b"), where a is this first proxy, made for each case run on a fresh port, and b is the mock proxy running "exchanges" (proxy-failover).',
      ),
    session: z
      .strictObject({
        maxConcurrentStreams: z
          .number()
          .int()
          .min(0)
          .max(0xffffffff)
          .optional()
          .describe('SETTINGS_MAX_CONCURRENT_STREAMS the proxy advertises.'),
        initialWindowSize: z
          .number()
          .int()
          .min(0)
          .max(0x7fffffff)
          .optional()
          .describe(
            'SETTINGS_INITIAL_WINDOW_SIZE the proxy advertises (0: the client may send no tunnel DATA until a "window-update" step).',
          ),
      })
      .optional()
      .describe(
        'HTTP/2 only: the case gets HTTP/2 sessions of its own (sessions kept from earlier cases are sent GOAWAY), with these values in the SETTINGS the client is told; the session is recorded frame by frame. Implied by any HTTP/2 step ("goaway", "rst-stream"…).',
      ),
    requestTimeoutMs: ms(60_000)
      .default(10_000)
      .describe('How long a connection may stay without a complete request head before the proxy closes it.'),
    settleMs: ms(10_000)
      .optional()
      .describe(
        'Quiet time after the outcome before the case ends, always waited: for a case that must see late behaviour. Without it a case ends as soon as no step runs and every connection of the case is closed, or after 300 ms of quiet while one stays open.',
      ),
  }),
  observe: z
    .array(z.enum(STABLE_FACT_NAMES))
    .default([])
    .describe(
      'The facts that matter, in the order the matrix shows them: pinned in expectations/. Facts the checks or the 2015 record use are added after these.',
    ),
  checks: z
    .array(z.union([check, standardCheck]))
    .min(1)
    .describe(
      "Per requirement, the acceptable outcomes; a bare requirement id uses its standard check. The fixture's requirements are derived from these.",
    ),
  dependsOn: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/))
    .optional()
    .describe(
      'Cases that must pass for a client before this one means anything there (cache-tests\' depends_on). Default: a case whose script tunnels depends on "baseline-200"; [] turns that off.',
    ),
  control: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .optional()
    .describe(
      "The positive control of this case's measurement: a case where the origin itself causes the consequence. Where that control does not show it for a client, this case's verdict there becomes unsupported (blind: the measurement could not have seen a fail, and a fail seen by it is no finding).",
    ),
  controls: z
    .strictObject({
      shows: factMatch.describe('The facts that prove the consequence took effect (in every kind the class has).'),
      seen: factMatch
        .optional()
        .describe(
          'The facts that show the consequence in a case this one controls (its only fail) where they are wider than "shows" (any one kind); default "shows".',
        ),
      consequence: z.string().min(1).describe('The consequence, in a few words ("the origin\'s own cookie is kept").'),
    })
    .optional()
    .describe('This case is the positive control of a consequence class: other cases name it in "control".'),
  consequence: z
    .strictObject({
      header: z.string().min(1),
      shape: z.string().min(1),
      shapeTitle: z.string().min(1),
      source: z.string().min(1).describe('Where the case comes from: a CVE, or "new".'),
      finding: z.string().min(1).describe('The sentence a fail produces, for a browser engineer to paste into a bug.'),
    })
    .optional()
    .describe('A cell of the consequence matrix: which origin-acting header, in which answer shape (generated by a matrix file).'),
  history2015: z.strictObject({ chrome: history.optional(), firefox: history.optional(), ie: history.optional() }).optional(),
  intermittent: z
    .record(
      z.string(),
      z
        .strictObject({
          why: z
            .string()
            .min(40, 'say what the wire showed (at least a sentence): which connection, when, whose doing')
            .describe("The evidence: what the wire log shows varies between runs and why it is the client's behaviour, not the harness's."),
        })
        .extend(
          Object.fromEntries(STABLE_FACT_NAMES.map((f) => [f, z.array(factValue).min(2).optional()])) as Record<
            FactName,
            z.ZodOptional<z.ZodArray<typeof factValue>>
          >,
        ),
    )
    .optional()
    .describe(
      'Facts seen to vary between runs of the same client (npm run flake), per client project, with the evidence-based "why": every value listed is accepted, the report marks the cell intermittent, and a verdict is the worst over the listed values, so it cannot flip between runs.',
    ),
});

/**
 * A file may define a family of cases: "variants" lists each case's id, the values of its
 * {placeholders} and any top-level field it sets differently. The file's own id names the family.
 */
export const variantSchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  vars: z
    .record(
      z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/)
        .refine((k) => k !== 'host', '"host" is filled in at run time'),
      z.string(),
    )
    .default({}),
});

export type FixtureInput = z.input<typeof fixtureSchema>;
/** A fixture as written (after defaults). */
export type ParsedFixture = z.output<typeof fixtureSchema>;
export type ProxyScript = ParsedFixture['proxy'];
export type Exchange = ProxyScript['exchanges'][number];
export type Step = Exchange['steps'][number];
export type Check = Exclude<ParsedFixture['checks'][number], string>;
export type History2015 = NonNullable<ParsedFixture['history2015']>;

/** A fixture with everything derivable filled in: what the engine, the verdicts and the report use. */
export interface Fixture extends Omit<ParsedFixture, 'checks' | 'observe' | 'dependsOn'> {
  checks: Check[];
  /** Derived from checks, in their order. */
  requirements: RequirementId[];
  /** Declared facts first, then those the checks and the 2015 record use. */
  observe: FactName[];
  dependsOn: string[];
}

/** The facts a fixture declares intermittent for a client project, each with its values (the "why" left out). */
export function intermittentFacts(
  fixture: Partial<Pick<Fixture, 'intermittent'>>,
  client: string,
): Partial<Record<FactName, (string | number)[]>> {
  const { why: _why, ...facts } = fixture.intermittent?.[client] ?? { why: '' };
  return facts as Partial<Record<FactName, (string | number)[]>>;
}
