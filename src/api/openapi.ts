/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the zod schemas that validate requests
 * (the cluster spec) and describe answers (src/api/schemas.ts).
 *
 * Why zod 4's own `z.toJSONSchema` and not a Zod-to-OpenAPI library: OpenAPI 3.1's schema objects *are*
 * JSON Schema 2020-12, which zod 4 emits natively (with `$ref`s between registered schemas and the
 * request-side view of transforms via `io: 'input'`), so what is left is assembling paths — plain data.
 * That keeps a generator library out of the deployed app, and nothing sits between zod and the document.
 */
import { z } from 'zod';

import { clusterSpecSchema } from '../cluster/spec';
import {
  aksEventsSchema,
  checkStatusSchema,
  clusterErrorSchema,
  clusterListSchema,
  clusterPhaseSchema,
  clusterStatusSchema,
  nodePoolRollingSchema,
  planSchema,
  problemSchema,
  specErrorSchema,
  topologySchema,
  validationErrorsSchema,
  zoneProgressSchema,
} from './schemas';

type Json = Record<string, unknown>;

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

const jsonContent = (schemaId: string): Json => ({ 'application/json': { schema: ref(schemaId) } });

const answer = (description: string, schemaId: string): Json => ({
  description,
  content: jsonContent(schemaId),
});

const problem = (description: string): Json => answer(description, 'Problem');

const nameParameter: Json = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'The cluster name (as in its spec)',
  schema: { type: 'string' },
};

function paths(): Json {
  return {
    '/clusters': {
      post: {
        operationId: 'clustersCreate',
        summary: 'Validate a cluster spec, plan it and start provisioning (or only plan, with dryRun=true)',
        parameters: [
          {
            name: 'dryRun',
            in: 'query',
            required: false,
            description: '"true": answer the plan, apply nothing',
            schema: { type: 'string', enum: ['true', 'false'] },
          },
        ],
        requestBody: {
          required: true,
          description: 'The cluster spec, as JSON or YAML (same fields)',
          content: {
            'application/json': { schema: ref('ClusterSpec') },
            'application/yaml': { schema: ref('ClusterSpec') },
          },
        },
        responses: {
          '200': answer('dryRun=true: the plan', 'Plan'),
          '202': {
            description: 'Provisioning started; follow it with GET /api/clusters/{name}',
            headers: { Location: { description: 'The Durable status URL', schema: { type: 'string' } } },
            content: jsonContent('CheckStatus'),
          },
          '400': answer(
            'The spec is invalid: every problem, each naming its field; nothing changed',
            'ValidationErrors',
          ),
          '409': problem('An operation on this cluster is running, or the spec moves or shrinks what exists'),
          '500': problem('The app is misconfigured (a setting) or the durable store refused the start'),
          '501': problem('Provisioning this cluster type is not available yet (dryRun is)'),
        },
      },
      get: {
        operationId: 'clustersList',
        summary: 'Every cluster with its phase and runtime status',
        responses: { '200': answer('The clusters, by name', 'ClusterList') },
      },
    },
    '/clusters/{name}': {
      parameters: [nameParameter],
      get: {
        operationId: 'clustersGet',
        summary: 'Phase, resources done/total, per-zone node progress, API endpoint and the failing resource',
        responses: {
          '200': answer('The cluster', 'ClusterStatus'),
          '404': problem('No cluster of that name'),
        },
      },
      delete: {
        operationId: 'clustersDelete',
        summary: 'Delete what the cluster created, in reverse dependency order',
        responses: {
          '202': { description: 'Deletion started', content: jsonContent('CheckStatus') },
          '404': problem('No cluster of that name'),
          '409': problem('An operation on this cluster is running'),
          '500': problem('The durable store refused the start'),
        },
      },
    },
    '/clusters/{name}/nodepools/{pool}/scale': {
      parameters: [
        nameParameter,
        {
          name: 'pool',
          in: 'path',
          required: true,
          description: 'The worker node pool (as in the spec)',
          schema: { type: 'string' },
        },
      ],
      post: {
        operationId: 'nodePoolsScale',
        summary:
          'Resize a worker node pool, zone-balanced (through the same per-pool entity as scaling events)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { count: { type: 'integer', minimum: 0 } },
                required: ['count'],
              },
            },
          },
        },
        responses: {
          '202': { description: 'The scale request was accepted', content: jsonContent('CheckStatus') },
          '400': answer(
            'count missing, not a whole number, or outside [minCount, maxCount] (named)',
            'ValidationErrors',
          ),
          '404': problem('No cluster, or no node pool, of that name'),
          '409': problem('The cluster is being created or deleted'),
          '500': problem('A scaling setting is invalid, or the durable store refused the start'),
        },
      },
    },
    '/events/scaling': {
      post: {
        operationId: 'nodeScalingWebhook',
        summary:
          'Event Grid WebHook endpoint for node-scaling and ARM resource events (Event Grid schema or CloudEvents 1.0, batched); a batch is validated whole: one malformed event refuses it with 400 and none is applied',
        parameters: [
          {
            name: 'aeg-event-type',
            in: 'header',
            required: false,
            description: '`Notification`, or `SubscriptionValidation` for the handshake',
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: {} },
            'application/cloudevents+json': { schema: { type: 'object' } },
            'application/cloudevents-batch+json': { schema: { type: 'array', items: { type: 'object' } } },
          },
        },
        responses: {
          '200': {
            description:
              'Every event was handled (accepted, or logged and ignored), or the validation handshake answered (`validationResponse`)',
            content: { 'application/json': {} },
          },
          '400': {
            description:
              'Not JSON, no events, or malformed events (each named by id, type and field in `rejected`); nothing was applied',
            content: { 'application/json': {} },
          },
          '413': { description: 'The delivery is larger than 1 MB', content: { 'application/json': {} } },
          '500': {
            description: 'The durable store failed; Event Grid retries',
            content: { 'application/json': {} },
          },
        },
      },
      options: {
        operationId: 'nodeScalingWebhookValidation',
        summary: 'CloudEvents abuse-protection handshake: answers WebHook-Allowed-Origin',
        responses: {
          '200': { description: 'The origin is allowed' },
          '400': { description: 'No WebHook-Request-Origin header' },
        },
      },
    },
    '/clusters/{name}/topology': {
      parameters: [nameParameter],
      get: {
        operationId: 'clustersTopology',
        summary: 'The cluster as the status page draws it: nodes per zone, subnets, NSGs, load balancer',
        responses: {
          '200': answer('The topology', 'ClusterTopology'),
          '404': problem('No cluster of that name'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
      },
    },
    '/ui': {
      get: {
        operationId: 'ui',
        summary: 'The status page (HTML); pass the key as ?code= and it uses it for its own requests',
        parameters: [
          {
            name: 'cluster',
            in: 'query',
            required: false,
            description: 'Open this cluster',
            schema: { type: 'string' },
          },
        ],
        responses: { '200': { description: 'The page', content: { 'text/html': {} } } },
      },
    },
  };
}

/** Every schema the document names, as JSON Schema 2020-12 (OpenAPI 3.1's own dialect). */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string; description?: string }>();
  const named: [string, z.ZodType][] = [
    ['ClusterSpec', clusterSpecSchema],
    ['ValidationErrors', validationErrorsSchema],
    ['Problem', problemSchema],
    ['ClusterStatus', clusterStatusSchema],
    ['ClusterList', clusterListSchema],
    ['CheckStatus', checkStatusSchema],
    ['Plan', planSchema],
    ['ClusterTopology', topologySchema],
    ['SpecError', specErrorSchema],
    ['ClusterPhase', clusterPhaseSchema],
    ['ZoneProgress', zoneProgressSchema],
    ['ClusterError', clusterErrorSchema],
    ['AksEvents', aksEventsSchema],
    ['NodePoolRolling', nodePoolRollingSchema],
  ];
  for (const [id, schema] of named) {
    const description = z.globalRegistry.get(schema)?.description;
    registry.add(schema, description === undefined ? { id } : { id, description });
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Requests are described as a client writes them (before defaults and transforms).
    io: 'input',
    // The cross-field rules (superRefine) have no JSON Schema form; the 400 answer lists them.
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
    cycles: 'ref',
    reused: 'inline',
  });
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) {
    // Each is emitted as a standalone document; inside OpenAPI the dialect is set once, at the top.
    const { $schema: _dialect, $id: _id, ...rest } = schema as Json;
    out[id] = rest;
  }
  return out;
}

/** The OpenAPI 3.1 document; `version` is the app's (package.json). */
export function openApiDocument(version: string): Json {
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'azure-cluster-provisioner',
      version,
      summary: 'Provision Kubernetes clusters on Azure and follow them (IaaS today; AKS planned).',
      description:
        'Every route needs a function key, as `?code=` or the `x-functions-key` header (locally: `.local/host/keys.json`). ' +
        'Errors answer `{ error: { code, message } }`, or `{ errors: [{ path, message }] }` for an invalid spec.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api', description: 'This Function App (locally http://localhost:7071/api)' }],
    security: [{ functionKeyQuery: [] }, { functionKeyHeader: [] }],
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
        functionKeyHeader: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
      },
    },
  };
}
