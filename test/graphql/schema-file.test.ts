import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaSdl } from '../../server/schema.js';

describe('schema.graphql', () => {
  it('is the schema the code emits (run `npm run schema` after changing the API)', async () => {
    const committed = fs.readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await schemaSdl());
  });
});
