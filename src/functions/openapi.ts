/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 description of this API, generated from the zod schemas.
 * Built on the first request (zod and the spec schema stay out of the app's start) and kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { app, type HttpResponseInit } from '@azure/functions';

import type * as OpenApi from '../api/openapi';

let document: string | undefined;

/** The app's version, from the package.json deployed next to dist/. */
function appVersion(): string {
  try {
    const file = path.resolve(__dirname, '../../../package.json');
    const version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function openApiJson(): HttpResponseInit {
  if (document === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy loading keeps cold start small
    const { openApiDocument } = require('../api/openapi') as typeof OpenApi;
    document = JSON.stringify(openApiDocument(appVersion()), null, 2);
  }
  return { status: 200, body: document, headers: { 'content-type': 'application/json' } };
}

app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'function',
  handler: () => openApiJson(),
});
