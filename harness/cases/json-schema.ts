import { z } from 'zod';
import { fixtureSchema } from './schema';

/** The fixture schema as JSON Schema text (what fixtures/schema.json holds). */
export function fixtureJsonSchema(): string {
  const schema = z.toJSONSchema(fixtureSchema, { io: 'input', unrepresentable: 'any' });
  return (
    JSON.stringify(
      {
        ...schema,
        title: 'connect-conformance fixture',
        description:
          'One CONNECT edge case: the proxy script, what to observe and the verdict rules. Generated from harness/cases/schema.ts by npm run schema.',
      },
      null,
      2,
    ) + '\n'
  );
}
