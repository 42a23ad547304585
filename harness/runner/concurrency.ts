/**
 * How many cases run at once. Cases are isolated by host, so a client's project may run several
 * workers, each with its own lab (proxy, origin, client). Each client kind has a default chosen
 * by measurement on a 2-core machine (npm run bench); CC_CONCURRENCY overrides it, for all
 * clients ("3") or per client ("firefox=2,chromium=4"); CC_WORKERS caps the workers of the run
 * (default: the machine's cores + 1).
 */
import { availableParallelism } from 'node:os';
import type { Transport } from '../vocabulary/transports';
import type { ClientKind } from '../clients/client';
import { SetupError } from '../vocabulary/harness-errors';

/**
 * Workers for the whole run, from the machine: one per core, and one more to fill the time a case
 * spends waiting on a bound or a hold. More buy no wall time on a CPU-bound run and cost
 * reliability: with 6 workers on 2 cores a navigation's thread waited seconds for a core (the
 * starvation harness/runner/starvation.ts now catches). A browser case keeps about two cores busy
 * for a moment, so the default never exceeds cores + 1.
 */
export function defaultWorkers(cores = availableParallelism()): number {
  return Math.max(2, cores + 1);
}

export function totalWorkers(env = process.env.CC_WORKERS, cores = availableParallelism()): number {
  if (env === undefined || env === '') return defaultWorkers(cores);
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new SetupError(`CC_WORKERS="${env}" is not a number of workers (1 or more)`);
  return n;
}

/** Cases per worker below which another worker (another launch) does not pay for itself. */
const CASES_PER_WORKER = 15;

/**
 * Workers for one client project: the client's concurrency, but no more than its cases need (a
 * project of 4 cases gets one lab, not three launches).
 */
export function projectWorkers(kind: ClientKind, cases: number, env = process.env.CC_CONCURRENCY): number {
  return Math.max(1, Math.min(concurrencyFor(kind, env), Math.ceil(cases / CASES_PER_WORKER)));
}

/** projectWorkers for a client over one transport, counting the fixtures that run there (the config and the run's record). */
export function workersOver(kind: ClientKind, transport: Transport, fixtures: readonly { transports: readonly Transport[] }[]): number {
  return projectWorkers(kind, fixtures.filter((f) => f.transports.includes(transport)).length);
}

export function concurrencyFor(kind: ClientKind, env = process.env.CC_CONCURRENCY): number {
  if (!env) return kind.concurrency;
  const entries = env
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  let all: number | undefined;
  let mine: number | undefined;
  for (const entry of entries) {
    const [name, value] = entry.includes('=') ? (entry.split('=') as [string, string]) : [undefined, entry];
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new SetupError(`CC_CONCURRENCY="${env}": "${entry}" is not a number of cases at once (1 or more)`);
    if (name === undefined) all = n;
    else if (name === kind.name) mine = n;
  }
  return mine ?? all ?? kind.concurrency;
}
