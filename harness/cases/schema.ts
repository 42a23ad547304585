/**
 * The fixture format. One JSON file per case under fixtures/; fixtures/schema.json is generated
 * from this module (`npm run schema`) so editors validate while you type.
 */
import { z } from 'zod';
import { REQUIREMENT_IDS } from './requirements';
import { CITATIONS_2015 } from './history-2015';
import { STABLE_FACT_NAMES } from '../observe/fact-names';
import { TRANSPORT_NAMES } from '../clients/transports';

const ms = (max: number) => z.number().int().min(0).max(max);
const hex = z.string().regex(/^(\s*[0-9a-fA-F]{2})*\s*$/, 'must be hex byte pairs such as "16 03 01"');
/** Fixture text is Latin-1: each character is one byte (escape others as \u00XX in JSON). */
const latin1 = z.string().regex(/^[\u0000-\u00ff]*$/, 'must be Latin-1 text (one byte per character); use "hex" for other bytes');

const segment = z.union([z.strictObject({ text: latin1 }), z.strictObject({ hex })]);

const sendStep = z
  .strictObject({
    do: z.literal('send'),
    text: latin1.optional(),
    hex: hex.optional(),
    segments: z.array(segment).min(1).optional(),
    repeat: z.number().int().min(1).max(1_000_000).optional().describe('Send the bytes this many times over (for header sections near size limits).'),
    chunkBytes: z.number().int().min(1).optional().describe('Split what is sent into segments of this many bytes (1 = byte by byte).'),
    gapMs: ms(10_000).optional().describe('Delay between segments (each segment is written as its own TCP segment).'),
    note: z.string().optional(),
  })
  .refine((s) => [s.text, s.hex, s.segments].filter((v) => v !== undefined).length === 1, {
    message: 'a send step needs exactly one of "text", "hex" or "segments"',
  });

const step = z.discriminatedUnion('do', [
  sendStep,
  z.strictObject({ do: z.literal('wait'), ms: ms(60_000), note: z.string().optional() }),
  z.strictObject({ do: z.literal('hold'), ms: ms(60_000), note: z.string().optional() }).describe('Keep the connection open for ms, ending early when the client closes.'),
  z.strictObject({ do: z.literal('tunnel'), note: z.string().optional() }).describe('Splice the connection into the in-process TLS origin (terminal).'),
  z.strictObject({ do: z.literal('fin'), note: z.string().optional() }).describe('Half-close: send FIN, keep reading until the client closes (terminal).'),
  z.strictObject({ do: z.literal('close'), note: z.string().optional() }).describe('FIN and stop reading (terminal).'),
  z.strictObject({ do: z.literal('reset'), note: z.string().optional() }).describe('Abort with TCP RST (terminal).'),
]);

const exchange = z.strictObject({
  when: z
    .strictObject({
      proxyAuthorization: z.enum(['absent', 'present']).optional(),
      connection: z.number().int().min(1).optional().describe('1-based index of the TCP connection within the case.'),
      requestOnConnection: z.number().int().min(1).optional().describe('1-based index of the request on its connection.'),
      method: z.string().regex(/^[A-Z]+$/).optional().describe('The request method, e.g. "CONNECT" or "GET" (absolute-form).'),
      host: z.enum(['case', 'subdomain']).optional().describe('"subdomain": a request for a host under the case host (e.g. a followed redirect to elsewhere.{host}).'),
    })
    .optional(),
  steps: z.array(step).min(1),
  note: z.string().optional(),
});

const factValue = z.union([z.string(), z.number()]);
const factMatch = z.partialRecord(z.enum(STABLE_FACT_NAMES), z.union([factValue, z.array(factValue).min(1)]));
const verdict = z.enum(['pass', 'fail', 'non-strict', 'informational']);

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

const history = z.strictObject({
  cite: z.enum(CITATIONS_2015),
  observed: z.string().min(1).describe('What the 2015 page says this browser did.'),
  facts: factMatch.describe('The 2015 observation in this suite\'s fact vocabulary; empty when not comparable.'),
  comparable: z.string().optional().describe('Why the 2015 observation cannot be compared, when facts is empty.'),
});

export const fixtureSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes').max(48, 'at most 48 characters (it becomes part of a DNS label)'),
  title: z.string().min(1),
  description: z.string().min(1),
  group: z.enum(['request form', '2xx', '1xx', 'non-2xx', '407', 'transport faults', 'early data', 'http/2', 'websocket']),
  requirements: z.array(z.enum(REQUIREMENT_IDS)).min(1),
  transports: z
    .array(z.enum(TRANSPORT_NAMES))
    .min(1)
    .default(['h1'])
    .describe('How clients reach the proxy in this case: "h1" plain HTTP/1.1 proxy, "h1-tls" HTTPS proxy offering only http/1.1, "h2" HTTPS proxy offering h2 (steps are translated to HEADERS/DATA/END_STREAM/RST_STREAM).'),
  client: z
    .strictObject({
      action: z.enum(['navigate', 'websocket']).default('navigate').describe('"websocket": navigate, then wait for the page\'s WebSocket echo to its own origin (needs origin.page "websocket").'),
      url: z.string().regex(/\{host\}/, 'must contain {host}').default('https://{host}/'),
      credentials: z.strictObject({ username: z.string().min(1), password: z.string() }).optional(),
      timeoutMs: ms(60_000).default(10_000).describe('Bound on the navigation; reaching it is an observation ("no outcome"), not a harness error.'),
      visits: z.number().int().min(1).max(5).default(1).describe('How many times to navigate to the URL, one after the other, in the same context.'),
    })
    .default({ action: 'navigate', url: 'https://{host}/', timeoutMs: 10_000, visits: 1 }),
  origin: z
    .strictObject({
      connection: z.enum(['keep-alive', 'close']).default('keep-alive').describe('"close": the origin closes the tunnelled connection after each response.'),
      protocol: z.enum(['h1', 'h2']).default('h1').describe('What the origin offers by ALPN inside the tunnel.'),
      connectProtocol: z.boolean().default(false).describe('With h2: SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 extended CONNECT).'),
      page: z.enum(['plain', 'websocket']).default('plain').describe('"websocket": the page opens a WebSocket to /ws on its own origin and reports the echo.'),
      upgradeHeader: z.string().optional().describe('An Upgrade field the origin adds to its responses, e.g. "TLS/1.0" (RFC 2817).'),
    })
    .default({ connection: 'keep-alive', protocol: 'h1', connectProtocol: false, page: 'plain' }),
  proxy: z.strictObject({
    exchanges: z.array(exchange).min(1),
    requestTimeoutMs: ms(60_000).default(10_000).describe('How long a connection may stay without a complete request head before the proxy closes it.'),
    settleMs: ms(10_000).default(300).describe('Quiet time after the outcome before the case ends, to catch late retries.'),
  }),
  observe: z.array(z.enum(STABLE_FACT_NAMES)).min(1).describe('The facts that matter: pinned in expectations/ and shown in the matrix.'),
  checks: z.array(check).min(1),
  history2015: z.strictObject({ chrome: history.optional(), firefox: history.optional(), ie: history.optional() }).optional(),
  intermittent: z
    .record(z.string(), z.partialRecord(z.enum(STABLE_FACT_NAMES), z.array(factValue).min(2)))
    .optional()
    .describe('Facts seen to vary between runs of the same client (npm run flake), per client project: every value listed is accepted and the report marks the cell intermittent.'),
});

export type FixtureInput = z.input<typeof fixtureSchema>;
export type Fixture = z.output<typeof fixtureSchema>;
export type ProxyScript = Fixture['proxy'];
export type Exchange = ProxyScript['exchanges'][number];
export type Step = Exchange['steps'][number];
export type Check = Fixture['checks'][number];
export type History2015 = NonNullable<Fixture['history2015']>;
