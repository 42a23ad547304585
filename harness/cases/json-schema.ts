import { z } from 'zod';
import { fixtureSchema } from './schema';
import { matrixSchema } from './matrix';

/** The matrix-file schema as JSON Schema text (what fixtures/matrix.schema.json holds). */
export function matrixJsonSchema(): string {
  const schema = z.toJSONSchema(matrixSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify(
    {
      ...schema,
      title: 'connect-conformance matrix file',
      description:
        'A cross product of cases (headers × answer shapes, each with its positive control). Generated from harness/cases/matrix.ts by npm run schema.',
    },
    null,
    2,
  )}\n`;
}

/** The fixture schema as JSON Schema text (what fixtures/schema.json holds). */
export function fixtureJsonSchema(): string {
  const schema = z.toJSONSchema(fixtureSchema, { io: 'input', unrepresentable: 'any' });
  // The loader fills "id" and "group" from the file's name and folder: a file need not write them.
  schema.required = (schema.required ?? []).filter((k) => k !== 'id' && k !== 'group');
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
