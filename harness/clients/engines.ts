import { chromiumEngine } from './chromium';
import { firefoxEngine } from './firefox';
import type { Engine } from './engine';
import type { EngineName } from './executables';

export const ENGINES: Record<EngineName, Engine> = { chromium: chromiumEngine, firefox: firefoxEngine };
