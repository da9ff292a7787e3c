import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApiDocument } from '../../src/openapi-document.js';

it('the committed OpenAPI document matches the route schemas (run `npm run generate:openapi` when it does not)', async () => {
  expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(await renderOpenApiDocument());
});
