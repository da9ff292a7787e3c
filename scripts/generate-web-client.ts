import { writeFileSync } from 'node:fs';
import { renderWebClientTypes, WEB_CLIENT_TYPES_FILE } from '../web/codegen/render-client-types.js';

writeFileSync(WEB_CLIENT_TYPES_FILE, await renderWebClientTypes());
console.log(`wrote ${WEB_CLIENT_TYPES_FILE}`);
