/**
 * Any HTTP client, by command: no TypeScript needed. A client is listed in command-clients/clients.json (or the
 * file CC_CLIENTS_FILE names) with the command that runs it; the suite runs that command once
 * per visit and reads one JSON object from its stdout. The contract, also in the README:
 *
 *   environment in:  CC_TARGET_URL, CC_PROXY_URL (http:// or https://), CC_CA_FILE (PEM: trust it
 *                    for the origin and for an HTTPS proxy), CC_TIMEOUT_MS, CC_CASE_ID,
 *                    CC_PROXY_USERNAME / CC_PROXY_PASSWORD when the case has proxy credentials, and
 *                    CC_STATE_DIR (a folder of the case's own) when the case reads state across its
 *                    visits and the client declares what it keeps ("keeps"): cookies, HSTS… kept there
 *   stdout out:      {"status": 200, "body": "…"}            a response (body as text, Latin-1 for bytes;
 *                                                             "url": where it ended, after redirects)
 *                    {"error": {"code": "…", "message": "…"}} no response; code in the fact vocabulary
 *                    ("timeout", an error class such as "ProxyError", "<tool> exit N"…)
 *
 * Anything else — no JSON, invalid JSON, a wrong shape, an error code outside the vocabulary, or a
 * command still running past the case's bound — is a harness error naming the client, the command,
 * the case and what was wrong; the run goes on.
 *
 * Optional persistent mode (`serve`), for clients whose start-up dominates (an interpreter and its
 * imports): one process per worker reads one JSON object per line on stdin — a visit's variables
 * (CC_TARGET_URL, CC_TIMEOUT_MS, CC_CASE_ID, CC_PROXY_USERNAME / CC_PROXY_PASSWORD when set) — and
 * answers each with the same JSON object, on one line of stdout, with "visit": the CC_VISIT nonce
 * the harness sent for that visit. CC_PROXY_URL and CC_CA_FILE are in its environment. A process
 * that dies or hangs, or answers with another visit's nonce (a stray line would otherwise shift
 * every later answer of the worker), is a harness error for that visit and is started again for
 * the next; CC_COMMAND_SERVE=0 runs the one-shot command instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import {
  bodyNavigation,
  STATE_KINDS,
  type ClientDriver,
  type ClientKind,
  type ProxyEndpoint,
  type VisitOutcome,
  type VisitRequest,
} from './client';
import type { NavigationRecord } from '../evidence/record';
import { invalidValue } from '../vocabulary/facts';
import { HarnessBoundError, HarnessError, SetupError, TIMED_OUT, within } from '../vocabulary/harness-errors';
import { TRANSPORT_NAMES } from '../vocabulary/transports';

export const DEFAULT_CLIENTS_FILE = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../command-clients/clients.json');

/** How long a command may run past the case's own bound before it counts as hung. */
export const COMMAND_GRACE_MS = 5000;

const argv = z.array(z.string().min(1)).min(1);

const commandClient = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  label: z.string().min(1),
  command: argv.describe("The program and its arguments; a relative path is resolved against the file's folder."),
  check: argv.optional().describe('A command that exits 0 when the client is installed (default: the program exists).'),
  version: argv.optional().describe("A command whose first line of output is the client's version."),
  install: z.string().optional().describe('What to do when the client is not installed, for messages.'),
  transports: z.array(z.enum(TRANSPORT_NAMES)).min(1).default(['h1']),
  transportGaps: z
    .partialRecord(z.enum(TRANSPORT_NAMES), z.string().min(1))
    .optional()
    .describe('Why the client has no project for a transport it does not list (the coverage page shows it).'),
  credentials: z.enum(['preemptive', 'none']).default('preemptive'),
  concurrency: z.number().int().min(1).max(8).default(2),
  optional: z.boolean().default(true).describe('CI may run without it when npm run setup could not install it.'),
  serve: argv
    .optional()
    .describe(
      'The same client serving many visits: one process per worker, a JSON line in (the visit variables) and a JSON line out per visit (see the README).',
    ),
  keeps: z
    .array(z.enum(STATE_KINDS))
    .optional()
    .describe(
      'What the client keeps across one case\'s visits in CC_STATE_DIR (a folder per case, given only to cases that read state: the consequence matrix), or does across them ("redirects": follows a Location and says where it ended, as "url"). It then runs those consequence classes; without it every such case is unsupported for it.',
    ),
});
export type CommandClientSpec = z.output<typeof commandClient>;

const clientsFile = z.strictObject({ $schema: z.string().optional(), clients: z.array(commandClient) });

/** The command clients of a clients file; none when there is no file. Problems name the file and field. */
export function loadCommandClients(
  file = process.env.CC_CLIENTS_FILE ? resolve(process.env.CC_CLIENTS_FILE) : DEFAULT_CLIENTS_FILE,
): ClientKind[] {
  if (!existsSync(file)) return [];
  const where = relative(process.cwd(), file) || file;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`${where}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = clientsFile.safeParse(json);
  if (!parsed.success) {
    throw new SetupError(
      `${where}: invalid clients file\n${parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data.clients.map((spec) => commandClientKind(spec, dirname(file)));
}

/** The JSON a command prints. */
const visitNonce = z.string().optional().describe('The serving mode: the CC_VISIT nonce of the visit this answers.');
const output = z.union([
  z.strictObject({
    status: z.number().int().min(100).max(999),
    body: z.string().default(''),
    url: z.string().optional().describe('Where the request ended after redirects it followed (clients that keep "redirects").'),
    visit: visitNonce,
  }),
  z.strictObject({ error: z.strictObject({ code: z.string().min(1), message: z.string().default('') }), visit: visitNonce }),
]);

function resolveArgv(args: readonly string[], base: string): string[] {
  return args.map((a, i) =>
    i === 0 && a.startsWith('.') ? resolve(base, a) : a.startsWith('./') || a.startsWith('../') ? resolve(base, a) : a,
  );
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
  /** The serving mode: the nonce the answer must carry. */
  visit?: string;
}

/** Kills a command started detached, with its whole process group: an adapter's own children too. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function runCommand(cmd: string[], cwd: string, env: NodeJS.ProcessEnv, boundMs: number): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      killGroup(child);
    }, boundMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ code: -1, stdout: '', stderr: e.message, hung });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), hung });
    });
  });
}

type Output = z.output<typeof output>;

/** What a command's output says, or the harness error naming the client, its command, the case and what was wrong. */
function judgeOutput(ran: Ran, about: string, bound: number): Output {
  const stderr = ran.stderr.trim() ? `; stderr: ${ran.stderr.trim().slice(-300)}` : '';
  if (ran.hung)
    throw new HarnessBoundError(
      `${about} was still running ${bound} ms after it started (the case's bound plus ${COMMAND_GRACE_MS} ms) and was killed`,
      bound,
    );
  const text = ran.stdout.trim();
  if (!text) throw new HarnessError(`${about} printed no JSON (exit ${ran.code})${stderr}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HarnessError(`${about} printed invalid JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, 200))}${stderr}`);
  }
  const parsed = output.safeParse(json);
  if (!parsed.success)
    throw new HarnessError(
      `${about} printed JSON of the wrong shape: expected {"status", "body"} or {"error": {"code", "message"}}; got ${JSON.stringify(text.slice(0, 200))}`,
    );
  const result = parsed.data;
  if (ran.visit !== undefined && result.visit !== ran.visit)
    throw new HarnessError(
      `${about} answered ${result.visit === undefined ? 'without the visit nonce' : `visit ${JSON.stringify(result.visit)}`}, not this visit (${JSON.stringify(ran.visit)}): a stray or late line; the client is restarted for the next visit`,
    );
  if ('error' in result) {
    const why = result.error.code === 'none' ? '"none" means success' : invalidValue('error', result.error.code);
    if (why) throw new HarnessError(`${about} reported an error code outside the fact vocabulary: ${why}`);
  }
  return result;
}

/**
 * The persistent mode: one process for a worker's visits, a JSON line in and a JSON line out per
 * visit. Started at the first visit; one that died or hung is gone, and the next visit starts anew.
 */
/** The "visit" an answer line names, if it is JSON with one. */
function parsedVisit(line: string): string | undefined {
  try {
    const v = (JSON.parse(line) as { visit?: unknown }).visit;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

class ServingCommand {
  private child: ChildProcess | undefined;
  /** What each process printed so far: a killed process's late output stays its own. */
  private output = new WeakMap<ChildProcess, { stdout: string; stderr: string }>();
  /** The visit waiting for an answer, and from which process (a killed one's last events must not answer the next). */
  private waiting: { child: ChildProcess; nonce?: string; done: (r: Ran) => void } | undefined;

  constructor(
    private readonly argv: string[],
    readonly shown: string,
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private start(): ChildProcess {
    const child = spawn(this.argv[0]!, this.argv.slice(1), {
      cwd: this.cwd,
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out = { stdout: '', stderr: '' };
    this.output.set(child, out);
    child.stdout!.on('data', (d: Buffer) => {
      out.stdout += d.toString('utf8');
      // Every complete line is an answer: the waiting visit's (its nonce is checked), or a stray one
      // no visit waits for, after which the process cannot be trusted and is replaced.
      for (let nl = out.stdout.indexOf('\n'); nl >= 0; nl = out.stdout.indexOf('\n')) {
        const line = out.stdout.slice(0, nl);
        out.stdout = out.stdout.slice(nl + 1);
        if (!line.trim()) continue;
        if (!this.answer(child, { code: null, stdout: line, stderr: this.takeStderr(child), hung: false })) this.kill(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out.stderr = (out.stderr + d.toString('utf8')).slice(-2000)));
    child.stdin!.on('error', () => {});
    const gone = (code: number | null) => {
      if (this.child === child) this.child = undefined;
      this.answer(child, { code, stdout: out.stdout, stderr: this.takeStderr(child), hung: false });
    };
    child.on('error', (e) => {
      out.stderr += e.message;
      gone(-1);
    });
    child.on('close', (code) => gone(code));
    this.child = child;
    return child;
  }

  private takeStderr(child: ChildProcess): string {
    const out = this.output.get(child);
    const s = out?.stderr ?? '';
    if (out) out.stderr = '';
    return s;
  }

  /** Hands r to the visit waiting on that process; false when none waits (a stray answer). */
  private answer(from: ChildProcess, r: Ran): boolean {
    const waiting = this.waiting;
    if (waiting?.child !== from) return false;
    this.waiting = undefined;
    if (waiting.nonce !== undefined && r.stdout && !r.hung) {
      // A line with another visit's nonce is this visit's failure, and the process is replaced.
      const answered = parsedVisit(r.stdout);
      if (answered !== waiting.nonce) this.kill(from);
    }
    waiting.done({ ...r, visit: waiting.nonce });
    return true;
  }

  private kill(child: ChildProcess): void {
    if (this.child === child) this.child = undefined;
    killGroup(child);
  }

  visit(vars: Record<string, string>, boundMs: number): Promise<Ran> {
    const child = this.child ?? this.start();
    const nonce = randomBytes(6).toString('hex');
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.kill(child);
        done({ code: null, stdout: '', stderr: this.takeStderr(child), hung: true });
      }, boundMs);
      this.waiting = {
        child,
        nonce,
        done: (r) => {
          clearTimeout(timer);
          done(r);
        },
      };
      child.stdin!.write(`${JSON.stringify({ ...vars, CC_VISIT: nonce })}\n`);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.stdin!.end();
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    if ((await within(closed, 2000)) === TIMED_OUT) this.kill(child);
  }
}

export function commandClientKind(spec: CommandClientSpec, base: string): ClientKind {
  const command = resolveArgv(spec.command, base);
  const shown = spec.command.join(' ');
  let installed: { path?: string; how: string } | undefined;
  return {
    name: spec.name,
    label: spec.label,
    concurrency: spec.concurrency,
    optionalInCi: spec.optional,
    capabilities: {
      page: false,
      screenshot: false,
      websocket: false,
      credentials: spec.credentials,
      transports: spec.transports,
      ...(spec.transportGaps ? { transportGaps: spec.transportGaps } : {}),
      ...(spec.keeps ? { keeps: spec.keeps } : {}),
    },
    resolve() {
      if (installed) return installed;
      const check = spec.check ? resolveArgv(spec.check, base) : undefined;
      const ok = check
        ? spawnSync(check[0]!, check.slice(1), { cwd: base, stdio: 'ignore', timeout: 15_000 }).status === 0
        : existsSync(command[0]!) || spawnSync('sh', ['-c', `command -v "${command[0]}"`], { stdio: 'ignore' }).status === 0;
      installed = ok
        ? { path: shown, how: 'command client' }
        : { how: `not installed: ${spec.install ?? `"${(check ?? command).join(' ')}" failed`}` };
      return installed;
    },
    async start(endpoint: ProxyEndpoint): Promise<ClientDriver> {
      const dir = mkdtempSync(join(tmpdir(), `cc-${spec.name}-`));
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, endpoint.caPem);
      const versionArgv = spec.version ? resolveArgv(spec.version, base) : undefined;
      const v = versionArgv
        ? spawnSync(versionArgv[0]!, versionArgv.slice(1), { cwd: base, encoding: 'utf8', timeout: 15_000 })
        : undefined;
      const version =
        (v?.stdout || v?.stderr || '')
          .split('\n')
          .find((l) => l.trim())
          ?.trim() ?? 'unknown';
      const env = { ...process.env, CC_PROXY_URL: endpoint.url, CC_CA_FILE: caFile };
      const serveArgv = spec.serve && process.env.CC_COMMAND_SERVE !== '0' ? resolveArgv(spec.serve, base) : undefined;
      const server = serveArgv ? new ServingCommand(serveArgv, spec.serve!.join(' '), base, env) : undefined;
      return {
        info: { name: spec.name, label: spec.label, version, executablePath: shown },
        launchMs: 0,
        launchConfig: {
          command: spec.command,
          ...(server ? { serve: spec.serve, mode: 'one process per worker, a JSON line per visit' } : { mode: 'one process per visit' }),
          cwd: base,
          transport: endpoint.scheme === 'https' ? 'HTTPS proxy' : 'HTTP proxy',
        },
        async visit({ fixture, urls, beginVisit, marker }: VisitRequest): Promise<VisitOutcome> {
          const visits: NavigationRecord[] = [];
          const credentials = fixture.client.credentials;
          // A case that reads state across its visits gets a folder the client keeps it in, gone after the case.
          const state = fixture.client.cookieJar && spec.keeps?.length ? mkdtempSync(join(dir, 'state-')) : undefined;
          const visitVars: Record<string, string> = {
            CC_TIMEOUT_MS: String(fixture.client.timeoutMs),
            CC_CASE_ID: fixture.id,
            ...(credentials ? { CC_PROXY_USERNAME: credentials.username, CC_PROXY_PASSWORD: credentials.password } : {}),
            ...(state ? { CC_STATE_DIR: state } : {}),
          };
          try {
            for (const [i, url] of urls.entries()) {
              beginVisit(i + 1);
              const t0 = performance.now();
              const bound = fixture.client.timeoutMs + COMMAND_GRACE_MS;
              const vars = { ...visitVars, CC_TARGET_URL: url };
              const ran = server ? await server.visit(vars, bound) : await runCommand(command, base, { ...env, ...vars }, bound);
              const about = `command client "${spec.name}" (${server ? server.shown : shown}) in case ${fixture.id}`;
              const result = judgeOutput(ran, about, bound);
              if ('error' in result) {
                visits.push(
                  bodyNavigation(url, t0, '', marker, {
                    committed: false,
                    failure: { by: 'adapter', code: result.error.code, message: result.error.message || result.error.code },
                  }),
                );
              } else {
                const visit = bodyNavigation(url, t0, result.body, marker, { committed: true, status: result.status });
                // Where a followed Location ended: the visit's final URL, as a browser's.
                if (result.url && result.url !== url) visit.finalUrl = result.url;
                visits.push(visit);
              }
            }
          } finally {
            if (state) rmSync(state, { recursive: true, force: true });
          }
          return {
            visits,
            notes: [],
            phases: { navigation: visits.reduce((n, v) => n + v.durationMs, 0) },
            alive: () => true,
            dispose: async () => {},
          };
        },
        async close() {
          await server?.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
