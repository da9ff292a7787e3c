import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderWebClientTypes, WEB_CLIENT_TYPES_FILE } from '../../web/codegen/render-client-types.js';

it('the web app\'s API types match the committed OpenAPI document (run `npm run generate:web-client` when they do not)', async () => {
  expect(readFileSync(WEB_CLIENT_TYPES_FILE, 'utf8')).toBe(await renderWebClientTypes());
});
