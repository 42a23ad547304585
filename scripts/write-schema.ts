/**
 * Writes fixtures/schema.json from the zod schema (harness/cases/schema.ts), for editors.
 * A unit test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../harness/cases/load';
import { fixtureJsonSchema, matrixJsonSchema } from '../harness/cases/json-schema';

for (const [name, text] of [
  ['schema.json', fixtureJsonSchema()],
  ['matrix.schema.json', matrixJsonSchema()],
] as const) {
  const path = join(FIXTURES_DIR, name);
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
