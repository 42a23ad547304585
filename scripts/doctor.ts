/**
 * Prints which browser executables the suite will use and their versions; exits 1 when none is
 * usable. Part of npm run setup.
 */
import { execFileSync } from 'node:child_process';
import { CLIENTS } from '../harness/clients/registry';

let usable = 0;
for (const kind of Object.values(CLIENTS)) {
  const r = kind.resolve();
  if (!r.path) {
    console.log(`  ${kind.name.padEnd(12)} not available: ${r.how}`);
    continue;
  }
  let version = '';
  if (kind.name === 'chromium' || kind.name === 'firefox' || kind.name === 'curl') {
    try {
      version = execFileSync(r.path, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 })
        .toString()
        .split('\n')[0]!
        .trim();
    } catch {
      version = '(version unknown)';
    }
  }
  if (kind.name === 'chromium' || kind.name === 'firefox') usable++;
  console.log(`  ${kind.name.padEnd(12)} ${r.path} (${r.how}) ${version}`);
}
if (!usable) {
  console.error('Neither Chromium nor Firefox is usable: install chromium and firefox-esr, or set CHROMIUM_PATH / FIREFOX_PATH.');
  process.exit(1);
}
