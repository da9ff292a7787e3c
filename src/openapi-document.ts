import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

/** Where the committed OpenAPI document lives; the web client is generated from it. */
export const OPENAPI_FILE = 'openapi/openapi.json';

/** The OpenAPI 3.1 document exactly as it is committed: built from the route schemas, pretty-printed. */
export async function renderOpenApiDocument(): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-openapi-'));
  const app = await buildApp({
    ...loadConfig({ data: dataDir }, { OMNISONIC_LOG_LEVEL: 'silent' }),
    watch: false,
    scanOnStart: false,
  });
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
