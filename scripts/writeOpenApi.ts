/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI 3.1 document the app serves at
 * GET /api/openapi.json (a test fails while the checked-in copy differs from the generated one).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { openApiDocument } from '../src/api/openapi';

export const OPENAPI_FILE = 'docs/openapi.json';

export function openApiText(root: string): string {
  const version = (
    JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  ).version;
  return `${JSON.stringify(openApiDocument(version), null, 2)}\n`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '../..');
  fs.writeFileSync(path.join(root, OPENAPI_FILE), openApiText(root));
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
