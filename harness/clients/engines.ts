import { chromiumEngine } from './chromium';
import { firefoxEngine } from './firefox';
import type { Engine } from './engine';
import type { EngineName } from './executables';

export const ENGINES: Record<EngineName, Engine> = { chromium: chromiumEngine, firefox: firefoxEngine };

/** Playwright arguments that select every client project (and nothing else, e.g. the report UI tests). */
export const CLIENT_PROJECT_ARGS = Object.keys(ENGINES).map((name) => `--project=${name}`);
