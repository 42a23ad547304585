import { chromiumEngine } from './chromium';
import { firefoxEngine } from './firefox';
import type { Engine } from './engine';
import type { EngineName } from './executables';
import { TRANSPORT_NAMES, projectName } from './transports';

export const ENGINES: Record<EngineName, Engine> = { chromium: chromiumEngine, firefox: firefoxEngine };

/** Playwright arguments that select every client project (and nothing else, e.g. the report UI tests). */
export const CLIENT_PROJECT_ARGS = Object.keys(ENGINES).flatMap((name) => TRANSPORT_NAMES.map((t) => `--project=${projectName(name, t)}`));
