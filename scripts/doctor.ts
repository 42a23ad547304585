/**
 * Prints which browser executables the suite will use and their versions; exits 1 when none is
 * usable. Part of npm run setup.
 */
import { execFileSync } from 'node:child_process';
import { resolveExecutable, type EngineName } from '../harness/clients/executables';

let usable = 0;
for (const engine of ['chromium', 'firefox'] as EngineName[]) {
  const r = resolveExecutable(engine);
  if (!r.path) {
    console.log(`  ${engine.padEnd(9)} not available: ${r.how}`);
    continue;
  }
  let version = '';
  try {
    version = execFileSync(r.path, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).toString().trim();
  } catch {
    version = '(version unknown)';
  }
  usable++;
  console.log(`  ${engine.padEnd(9)} ${r.path} (${r.how}) ${version}`);
}
if (!usable) {
  console.error('No browser is usable: install chromium and firefox-esr, or set CHROMIUM_PATH / FIREFOX_PATH.');
  process.exit(1);
}
