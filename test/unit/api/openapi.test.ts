import * as fs from 'node:fs';
import * as path from 'node:path';

import SwaggerParser from '@apidevtools/swagger-parser';

import { OPENAPI_FILE, openApiText } from '../../../scripts/writeOpenApi';
import { openApiDocument } from '../../../src/api/openapi';
import { nonConformance } from '../../e2e/openApiConformance';

const root = path.resolve(__dirname, '../../..');

describe('the OpenAPI document', () => {
  it('is checked in as generated (run `npm run openapi` after changing a schema or route)', () => {
    expect(fs.readFileSync(path.join(root, OPENAPI_FILE), 'utf8')).toBe(openApiText(root));
  });

  it('validates as OpenAPI 3.1', async () => {
    const document = openApiDocument('1.0.0');
    expect(document.openapi).toMatch(/^3\.1\./);
    // validate() checks the document against the OpenAPI 3.1 schema and resolves every $ref.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    // …and would refuse a broken one.
    const broken = structuredClone(document) as { paths: Record<string, Record<string, unknown>> };
    (broken.paths['/clusters'] as Record<string, unknown>).get = { responses: 'none' };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('describes the spec with the same schema that validates it (unknown fields and bad types are refused)', () => {
    const spec = (openApiDocument('1') as { components: { schemas: Record<string, { oneOf?: unknown[] }> } })
      .components.schemas.ClusterSpec;
    expect(spec?.oneOf).toHaveLength(2);
    const iaas = JSON.stringify(spec?.oneOf?.[0]);
    expect(iaas).toContain('"additionalProperties":false');
    expect(iaas).toContain('"controlPlane"');
  });

  it('tells a conforming answer from one that is not', () => {
    expect(
      nonConformance('GET', '/clusters/x', 404, { error: { code: 'ClusterNotFound', message: 'no' } }),
    ).toBe(undefined);
    expect(nonConformance('GET', '/clusters/x', 404, { message: 'no' })).toMatch(/does not match/);
    expect(nonConformance('POST', '/clusters', 400, { errors: [{ path: 'name', message: 'bad' }] })).toBe(
      undefined,
    );
    expect(nonConformance('POST', '/clusters', 400, { errors: [] })).toMatch(/does not match/);
    expect(nonConformance('PUT', '/clusters/x', 200, {})).toMatch(/method not documented/);
    expect(nonConformance('GET', '/clusters/x', 418, {})).toMatch(/status 418 is not documented/);
    expect(nonConformance('GET', '/nowhere', 200, {})).toMatch(/not in the OpenAPI document/);
  });
});
