/**
 * A matrix file: one definition of a cross product of cases (cache-tests' templates). The
 * consequence matrix crosses headers that act on an origin (Set-Cookie, Location, Refresh, HSTS,
 * Alt-Svc, Clear-Site-Data) with the shapes a proxy's answer to CONNECT can take (the 200 that opens
 * the tunnel, 1xx, complete 3xx/4xx/5xx, 407, answers cut off…). Each cell becomes an ordinary
 * fixture (validated like any other), with a stable id `<prefix>-<shape>-<header>`; each header
 * also gets its positive control `<prefix>-control-<header>`, where the origin itself sends the
 * header through a working tunnel, so "no consequence seen" is only believed where the same
 * measurement saw the origin's own consequence.
 *
 * In a shape's steps, {fields} is the header's field lines (each ending CRLF) and {cut-status} the
 * header's status line for answers cut off before their header section ends.
 */
import { z } from 'zod';
import { fill, VariantError, type Expanded } from './families';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');
const factMatch = z.record(z.string(), z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()])).min(1)]));

const header = z.strictObject({
  id,
  name: z.string().min(1).describe('The field as a reader knows it, e.g. "Set-Cookie".'),
  fields: z.array(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [^\r\n]*$/, 'must be one "Name: value" field line')).min(1),
  requirement: z.string().min(1),
  urls: z.array(z.string()).min(2).describe('One URL per visit; the answer under test comes on visit "answerVisit".'),
  answerVisit: z.number().int().min(1).default(1),
  answerFirstRequestOnly: z
    .boolean()
    .optional()
    .describe(
      "Only the answer visit's first request gets the answer under test; later ones (a followed same-host Location) get a working tunnel, so a follow reaches the origin and is seen.",
    ),
  cutStatus: z.string().default('200 Connection established').describe('The status line (after HTTP/1.1) of answers cut off mid-head.'),
  dwellMs: z.number().int().min(0).max(5000).optional().describe('Time to stay on each page after its load (for Refresh).'),
  routes: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("The origin's routes in every case of this header (e.g. the visit that sets state)."),
  pass: z.strictObject({ when: factMatch, means: z.string().min(1) }).describe('The facts that say the answer took no effect.'),
  finding: z.string().min(1).describe("The sentence of a fail; {shape} is the shape's title."),
  control: z.strictObject({
    routes: z.record(z.string(), z.unknown()).describe("The origin's routes in the control: the origin sends the header itself."),
    shows: factMatch.describe("The facts that show the consequence: a cell's only fail."),
    showsEvery: factMatch
      .optional()
      .describe(
        'What the control must show to count as working, where the header has several kinds (every cookie kind: a client that drops one kind of the origin\'s own cookies would leave that kind blind); default "shows".',
      ),
    consequence: z.string().min(1),
  }),
});

const shape = z.strictObject({
  id,
  title: z.string().min(1),
  transports: z.array(z.enum(['h1', 'h1-tls', 'h2'])).min(1),
  noH2: z.string().optional().describe('Why the shape has no HTTP/2 form (required when "h2" is not listed).'),
  source: z.string().min(1).describe('A CVE or bug the shape comes from, or "new".'),
  credentials: z.boolean().optional(),
  exchanges: z.array(z.record(z.string(), z.unknown())).min(1),
});

export const matrixSchema = z.strictObject({
  $schema: z.string().optional(),
  id,
  matrix: z.strictObject({
    prefix: id,
    group: z.string(),
    description: z.string().min(1),
    headers: z.array(header).min(1),
    shapes: z.array(shape).min(1),
    intermittent: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.record(z.string(), z.unknown()))
      .optional()
      .describe(
        'Per generated cell id, the facts seen to vary between runs of a client, with the evidence: the same field as a fixture\'s "intermittent" (npm run flake finds them).',
      ),
  }),
});

export type MatrixFile = z.output<typeof matrixSchema>;

/** The later visits' answers: http: requests forwarded, every CONNECT a working tunnel. */
const WORKING = [
  { when: { method: 'GET' }, steps: [{ do: 'tunnel' }], note: 'an http: visit, forwarded to the origin', working: true },
  {
    steps: [{ do: 'send', text: 'HTTP/1.1 200 Connection established\r\n\r\n' }, { do: 'tunnel' }],
    note: 'a working tunnel',
    working: true,
  },
];

type Header = MatrixFile['matrix']['headers'][number];
type Shape = MatrixFile['matrix']['shapes'][number];

/**
 * A cell's check has three outcomes: the consequence seen (the values its control must show: the
 * only fail), no consequence with the origin's page loaded on the last visit (the only pass: the
 * visit that would have read the state happened), and anything else, which measured nothing
 * ("no request", "not read", an error page): informational, never a finding and never a pass.
 */
export function checkFor(h: Header, means: { fail: string }) {
  return {
    requirement: h.requirement,
    outcomes: [
      { when: h.control.shows, verdict: 'fail', means: means.fail },
      { when: { ...h.pass.when, page: 'loaded' }, verdict: 'pass', means: `${h.pass.means}, and the last visit loaded the origin` },
      {
        when: h.pass.when,
        verdict: 'not measured',
        means: `not measured: ${h.pass.means}, but the last visit did not load the origin, so nothing proves the client's state was read`,
      },
    ],
    otherwise: {
      verdict: 'not measured',
      means: `not measured: neither the consequence (${h.control.consequence}) nor its absence was seen`,
    },
  };
}

function cell(m: MatrixFile['matrix'], h: Header, s: Shape): Record<string, unknown> {
  const fields = h.fields.map((f) => `${f}\r\n`).join('');
  const answer = fill(s.exchanges, { fields, 'cut-status': h.cutStatus }) as Record<string, unknown>[];
  const exchanges = answer.map((ex) => ({
    ...ex,
    when: { ...((ex.when as object) ?? {}), visit: h.answerVisit, ...(h.answerFirstRequestOnly ? { requestInVisit: 1 } : {}) },
  }));
  const h2 = s.transports.includes('h2') ? '' : ` It has no HTTP/2 form: ${s.noH2}`;
  const which = h.answerFirstRequestOnly ? `the first request of visit ${h.answerVisit}` : `every CONNECT of visit ${h.answerVisit}`;
  return {
    id: `${m.prefix}-${s.id}-${h.id}`,
    title: `${h.name} in ${s.title}`,
    description: `${m.description} Here: ${h.name} (${h.fields.join(' / ')}) in ${s.title} to ${which} of ${h.urls.length} (${h.urls.join(', ')}); every other request gets a working tunnel, and the origin closes after each answer, so every visit makes a CONNECT of its own.${h2}`,
    group: m.group,
    transports: s.transports,
    client: {
      urls: h.urls,
      cookieJar: true,
      ...(s.credentials ? { credentials: { username: 'alice', password: 'wonderland' } } : {}),
      ...(h.dwellMs ? { dwellMs: h.dwellMs } : {}),
    },
    origin: { connection: 'close', ...(h.routes ? { routes: h.routes } : {}) },
    proxy: { exchanges: [...exchanges, ...WORKING] },
    checks: [checkFor(h, { fail: h.finding.replaceAll('{shape}', s.title) })],
    ...(m.intermittent?.[`${m.prefix}-${s.id}-${h.id}`] ? { intermittent: m.intermittent[`${m.prefix}-${s.id}-${h.id}`] } : {}),
    control: `${m.prefix}-control-${h.id}`,
    consequence: { header: h.name, shape: s.id, shapeTitle: s.title, source: s.source, finding: h.finding.replaceAll('{shape}', s.title) },
  };
}

function control(m: MatrixFile['matrix'], h: Header): Record<string, unknown> {
  return {
    id: `${m.prefix}-control-${h.id}`,
    title: `Control: the origin itself sends ${h.name}`,
    description: `The positive control of the ${h.name} cases: the proxy answers every CONNECT with a working tunnel, and the origin itself sends ${h.fields.join(' / ')} on visit ${h.answerVisit} of ${h.urls.length} (${h.urls.join(', ')}). Where this shows the consequence (${h.control.consequence}), the same measurement in the matrix cases could have seen a proxy's header take effect; where it does not, those cases are unsupported for the client, never pass.`,
    group: m.group,
    transports: ['h1', 'h1-tls', 'h2'],
    // Its origin really sets and clears state for the whole connect.test domain: a context of its own
    // keeps that from later cases (test/isolation.test.ts; a persistent context is emptied after each case).
    client: { urls: h.urls, cookieJar: true, ...(h.dwellMs ? { dwellMs: h.dwellMs } : {}) },
    origin: { connection: 'close', routes: { ...(h.routes ?? {}), ...h.control.routes } },
    proxy: { exchanges: WORKING },
    checks: [
      {
        requirement: h.requirement,
        outcomes: [
          {
            when: h.control.showsEvery ?? h.control.shows,
            verdict: 'informational',
            means: `control: ${h.control.consequence} (the measurement sees the consequence)`,
          },
        ],
        otherwise: {
          verdict: 'informational',
          means: `control: the origin's own ${h.name} did not take effect in this client, so the ${h.name} cases are blind here`,
        },
      },
    ],
    controls: {
      shows: h.control.showsEvery ?? h.control.shows,
      ...(h.control.showsEvery ? { seen: h.control.shows } : {}),
      consequence: h.control.consequence,
    },
  };
}

/** The cases a matrix file defines: every header × shape, then each header's control. */
export function expandMatrix(json: unknown): Expanded[] {
  const parsed = matrixSchema.safeParse(json);
  if (!parsed.success)
    throw new VariantError(
      parsed.error.issues.map((i) => ({
        field: i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.'),
        message: i.message,
      })),
    );
  const m = parsed.data.matrix;
  const problems = m.shapes
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !s.transports.includes('h2') && !s.noH2)
    .map(({ i }) => ({ field: `matrix.shapes[${i}].noH2`, message: 'say why the shape has no HTTP/2 form, or list "h2" in "transports"' }));
  const cellIds = new Set(m.headers.flatMap((h) => m.shapes.map((s) => `${m.prefix}-${s.id}-${h.id}`)));
  for (const key of Object.keys(m.intermittent ?? {}))
    if (!cellIds.has(key)) problems.push({ field: `matrix.intermittent.${key}`, message: 'no cell of this matrix has that id' });
  if (problems.length) throw new VariantError(problems);
  return [
    ...m.headers.flatMap((h, hi) =>
      m.shapes.map((s, si) => ({ json: cell(m, h, s), origin: `matrix: headers[${hi}] (${h.id}) × shapes[${si}] (${s.id})` })),
    ),
    ...m.headers.map((h, hi) => ({ json: control(m, h), origin: `matrix: headers[${hi}] (${h.id}) control` })),
  ];
}

export function isMatrixFile(json: unknown): boolean {
  return !!json && typeof json === 'object' && 'matrix' in json;
}
