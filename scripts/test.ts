/**
 * npm test [-- <playwright args>]: lint (Biome, tsc), the unit tests (mocha), then the browser
 * suite, stopping at the first step that fails and exiting with its code. Arguments go to the
 * browser suite, so `npm test -- --shard=2/4` or `npm test -- --project=firefox` work.
 */
import { spawnSync } from 'node:child_process';

const passThrough = process.argv.slice(2);
const steps: [string, string[]][] = [
  ['lint', ['npm', 'run', '-s', 'lint']],
  ['unit tests', ['npm', 'run', '-s', 'test:unit']],
  ['browser suite', ['npx', 'tsx', 'scripts/run-suite.ts', ...passThrough]],
];
for (const [name, [cmd, ...args]] of steps) {
  const r = spawnSync(cmd!, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`npm test: the ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}
