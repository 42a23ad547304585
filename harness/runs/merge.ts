/**
 * Merging the raw results of sharded runs (npx playwright test --shard=i/n, on one machine or many)
 * into one run: one results.json.gz whose case × client set is that of a single full run. Runs from
 * different fixture sets or commits, with different client versions, or overlapping in what they
 * ran are refused unless forced: a merged report must not mix what it compares.
 */
import { createHash } from 'node:crypto';
import type { RunResults } from './results';

export interface SourceRun {
  /** Where it was read from, for messages. */
  path: string;
  run: RunResults;
}

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/** A fingerprint of a run's fixture set: the fixtures as they were, in id order. */
export function fixturesHash(run: RunResults): string {
  const sorted = [...run.fixtures].sort((a, b) => a.id.localeCompare(b.id));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 12);
}

export function mergeRuns(sources: SourceRun[], options: { force?: boolean; id: string }): RunResults {
  if (sources.length === 0)
    throw new MergeError('nothing to merge: name results files (results.json.gz, results.json) or folders holding them');
  const problems: string[] = [];
  const [first] = sources as [SourceRun, ...SourceRun[]];
  const hash = fixturesHash(first.run);
  for (const s of sources.slice(1)) {
    if (fixturesHash(s.run) !== hash)
      problems.push(
        `${s.path} ran another fixture set than ${first.path} (${s.run.fixtures.length} fixtures, ${fixturesHash(s.run)} vs ${first.run.fixtures.length}, ${hash})`,
      );
    if (s.run.run.commit !== first.run.run.commit)
      problems.push(
        `${s.path} was run at commit ${s.run.run.commit ?? '(unknown)'}, ${first.path} at ${first.run.run.commit ?? '(unknown)'}`,
      );
  }
  const clients: RunResults['clients'] = {};
  for (const s of sources) {
    for (const [name, c] of Object.entries(s.run.clients)) {
      const seen = clients[name];
      if (!seen || (!seen.version && c.version)) clients[name] = { ...c, launches: [...(seen?.launches ?? []), ...(c.launches ?? [])] };
      else {
        if (c.version && seen.version !== c.version) problems.push(`${name}: ${seen.version} in one run, ${c.version} in ${s.path}`);
        seen.launches = [...(seen.launches ?? []), ...(c.launches ?? [])];
      }
    }
  }
  const owner = new Map<string, string>();
  const results: RunResults['results'] = [];
  for (const s of sources) {
    for (const r of s.run.results) {
      const key = `${r.caseId} [${r.client}]`;
      const already = owner.get(key);
      // A case skipped in one shard (not its project's) and run in another is not an overlap.
      if (already && r.status !== 'skipped') {
        const earlier = results.findIndex((x) => `${x.caseId} [${x.client}]` === key);
        if (earlier >= 0 && results[earlier]!.status === 'skipped') results.splice(earlier, 1);
        else {
          problems.push(`${key} ran in both ${already} and ${s.path}`);
          continue;
        }
      } else if (already) continue;
      owner.set(key, s.path);
      results.push(r);
    }
  }
  if (problems.length && !options.force) {
    throw new MergeError(`refusing to merge (use --force to merge anyway):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const starts = sources.map((s) => s.run.run.startedAt).sort();
  const ends = sources.map((s) => s.run.run.finishedAt).sort();
  const teardowns = sources.flatMap((s) => s.run.run.teardowns ?? []);
  return {
    format: first.run.format,
    run: {
      ...first.run.run,
      id: options.id,
      startedAt: starts[0]!,
      finishedAt: ends[ends.length - 1]!,
      mode: sources.every((s) => s.run.run.mode === 'enforce') ? 'enforce' : 'observe',
      merged: sources.map((s) => ({ id: s.run.run.id, path: s.path, ...(s.run.run.shard ? { shard: s.run.run.shard } : {}) })),
      ...(teardowns.length ? { teardowns } : {}),
    },
    clients,
    fixtures: first.run.fixtures,
    results: results.sort((a, b) => a.caseId.localeCompare(b.caseId) || a.client.localeCompare(b.client)),
  };
}
