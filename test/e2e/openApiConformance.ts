/**
 * Checks an HTTP answer against the OpenAPI document (the generated one; a unit test keeps
 * docs/openapi.json equal to it): the route and method must be documented, the status must be one of
 * the operation's responses, and a JSON body must validate against that response's schema
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12, so Ajv's 2020 validator reads them as they are).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { openApiDocument } from '../../src/api/openapi';

type Json = Record<string, unknown>;

const DOC_ID = 'https://azure-cluster-provisioner.local/openapi.json';
const doc = openApiDocument('test') as { paths: Record<string, Record<string, Json>> };

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    if (!ajv) {
      // The whole document is one schema resource, so `#/components/schemas/...` refs resolve inside it.
      ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      ajv.addSchema({ ...doc, $id: DOC_ID });
    }
    validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The documented path template a concrete path (`/clusters/demo`) falls under. */
export function documentedPath(path: string): string | undefined {
  const clean = path.split('?')[0] ?? path;
  return Object.keys(doc.paths).find((template) =>
    new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(clean),
  );
}

/** Why the answer does not conform, or undefined when it does. */
export function nonConformance(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string | undefined {
  const template = documentedPath(path);
  const where = `${method.toUpperCase()} /api${path} → ${status}`;
  if (!template) return `${where}: the route is not in the OpenAPI document (add it to src/api/openapi.ts)`;
  const operation = doc.paths[template]?.[method.toLowerCase()] as
    { responses?: Record<string, Json> } | undefined;
  if (!operation) return `${where}: method not documented for ${template}`;
  const response = operation.responses?.[String(status)];
  if (!response) {
    return `${where}: status ${status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`;
  }
  const content = response.content as Record<string, { schema?: unknown }> | undefined;
  if (!content?.['application/json']?.schema) return undefined;
  const pointer = [
    'paths',
    template,
    method.toLowerCase(),
    'responses',
    String(status),
    'content',
    'application/json',
    'schema',
  ]
    .map(escapePointer)
    .join('/');
  const validate = validatorFor(`/${pointer}`);
  if (validate(body)) return undefined;
  return `${where}: body does not match the document: ${JSON.stringify(validate.errors?.slice(0, 5))}; body ${JSON.stringify(body).slice(0, 500)}`;
}

export function expectConforms(method: string, path: string, status: number, body: unknown): void {
  const problem = nonConformance(method, path, status, body);
  if (problem) throw new Error(problem);
}
