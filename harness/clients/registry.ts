/**
 * Every client the suite knows: the built-in adapters, then the command clients listed in
 * clients.json (any HTTP client, by command: see command.ts). Adding a TypeScript client: write a
 * file exporting a ClientKind (see client.ts, and curl.ts for a small one) and list it here;
 * playwright.config.ts makes a project per client and supported transport.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientKind } from './client';
import { playwrightClient } from './playwright-client';
import { chromiumEngine } from './chromium';
import { firefoxEngine } from './firefox';
import { TRANSPORT_NAMES, projectName } from '../vocabulary/transports';
import { curlClient } from './curl';
import { httpsProxyAgentClient, undiciClient } from './node-agents';
import { webkitClient } from './webkit';
import { loadCommandClients } from './command';

const BUILT_IN: ClientKind[] = [
  playwrightClient(chromiumEngine),
  playwrightClient(firefoxEngine),
  webkitClient,
  curlClient,
  httpsProxyAgentClient,
  undiciClient,
];

/** A clients.json that cannot be read: reported before a run starts (npm test exits 3), never a crash on import. */
export let CLIENTS_FILE_PROBLEM: string | undefined;
const commandClients = (() => {
  try {
    return loadCommandClients();
  } catch (e) {
    CLIENTS_FILE_PROBLEM = (e as Error).message;
    return [];
  }
})();

export const CLIENTS: Record<string, ClientKind> = Object.fromEntries([...BUILT_IN, ...commandClients].map((c) => [c.name, c]));

/** Playwright arguments that select every client project (and nothing else, e.g. the report UI tests). */
export const CLIENT_PROJECT_ARGS = Object.values(CLIENTS).flatMap((c) =>
  TRANSPORT_NAMES.filter((t) => c.capabilities.transports.includes(t)).map((t) => `--project=${projectName(c.name, t)}`),
);

/** Written by npm run setup: the optional clients whose packages could not be installed on this machine. */
export const SETUP_MISSING_FILE = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../.cc-setup-missing');

/**
 * Whether CI must have this client: every client, except an optional one (WebKitGTK, the command
 * clients) whose packages npm run setup tried and could not install here.
 */
export function requiredInCi(kind: ClientKind): boolean {
  if (!kind.optionalInCi) return true;
  const missing = existsSync(SETUP_MISSING_FILE) ? readFileSync(SETUP_MISSING_FILE, 'utf8').split(/\s+/) : [];
  return !missing.includes(kind.name);
}
