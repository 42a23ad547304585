/**
 * Writes fixtures/schema.json from the zod schema (harness/cases/schema.ts), for editors.
 * A unit test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../harness/cases/load';
import { fixtureJsonSchema } from '../harness/cases/json-schema';

const path = join(FIXTURES_DIR, 'schema.json');
writeFileSync(path, fixtureJsonSchema());
console.log(`wrote ${path}`);
