/**
 * Every client the suite knows. Adding a client: write a file exporting a ClientKind (see
 * client.ts, and curl.ts for a small one) and list it here; playwright.config.ts makes a project
 * per client and supported transport.
 */
import type { ClientKind } from './client';
import { playwrightClient } from './playwright-client';
import { chromiumEngine } from './chromium';
import { firefoxEngine } from './firefox';
import { TRANSPORT_NAMES, projectName } from './transports';
import { curlClient } from './curl';
import { httpsProxyAgentClient, undiciClient } from './node-agents';
import { webkitClient } from './webkit';

export const CLIENTS: Record<string, ClientKind> = {
  chromium: playwrightClient(chromiumEngine),
  firefox: playwrightClient(firefoxEngine),
  webkit: webkitClient,
  curl: curlClient,
  'node-agent': httpsProxyAgentClient,
  'node-undici': undiciClient,
};

/** Playwright arguments that select every client project (and nothing else, e.g. the report UI tests). */
export const CLIENT_PROJECT_ARGS = Object.values(CLIENTS).flatMap((c) => TRANSPORT_NAMES.filter((t) => c.capabilities.transports.includes(t)).map((t) => `--project=${projectName(c.name, t)}`));

/** Clients whose absence does not fail CI (they depend on packages that may not install everywhere). */
export const OPTIONAL_IN_CI = new Set(['webkit']);
