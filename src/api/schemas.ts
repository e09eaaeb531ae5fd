/**
 * The HTTP API's answers as zod schemas: the one source for the OpenAPI document (src/api/openapi.ts)
 * and for the types the CLI and the status page read. Requests are validated by the cluster spec's own
 * schema (src/cluster/spec.ts); answers are built by the functions and checked against these in tests.
 *
 * Views are open objects (extra fields allowed): a newer server may add fields an older client ignores.
 */
import { z } from 'zod';

export const specErrorSchema = z
  .object({
    path: z.string().meta({
      description:
        'The field, e.g. `nodePools[1].count` or `network.workerSubnet.cidr`; "" for the whole spec',
    }),
    message: z.string().meta({ description: 'What is wrong and what is accepted' }),
  })
  .meta({ id: 'SpecError' });

export const validationErrorsSchema = z
  .object({
    errors: z.array(specErrorSchema).min(1).meta({ description: 'Every problem at once' }),
  })
  .meta({
    id: 'ValidationErrors',
    description: 'The request was refused before anything was changed; fix every listed field and retry.',
  });

export const problemSchema = z
  .object({
    error: z.object({
      code: z.string().meta({
        description: 'e.g. ClusterNotFound, OperationInProgress, ClusterExists, NotImplemented',
      }),
      message: z.string().meta({ description: 'What happened and what to do' }),
    }),
  })
  .meta({ id: 'Problem', description: 'A refused or failed request.' });

export const clusterErrorSchema = z
  .looseObject({
    resource: z.string().meta({ description: 'ARM id of the failing resource ("" when none applies)' }),
    code: z.string().meta({ description: 'ARM error code, e.g. QuotaExceeded' }),
    message: z.string().meta({ description: "ARM's message" }),
  })
  .meta({ id: 'ClusterError', description: 'The resource that failed and what ARM said.' });

export const clusterPhaseSchema = z
  .enum([
    'Verifying',
    'Provisioning',
    'Pruning',
    'Provisioned',
    'RollingBack',
    'Failed',
    'Deleting',
    'Deleted',
    'DeleteFailed',
  ])
  .meta({ id: 'ClusterPhase' });

export const zoneProgressSchema = z
  .looseObject({ nodesReady: z.int().min(0), nodesTotal: z.int().min(0) })
  .meta({ id: 'ZoneProgress' });

export const nodePoolRollingSchema = z
  .looseObject({
    state: z.enum(['Started', 'Succeeded', 'Failed']),
    at: z.string().meta({ description: "The event's time (ISO 8601)" }),
    eventId: z.string(),
  })
  .meta({ id: 'NodePoolRolling', description: "A node pool's latest rolling (AKS NodePoolRolling* event)." });

export const aksEventsSchema = z
  .looseObject({
    nodePools: z.record(z.string(), nodePoolRollingSchema).meta({
      description: 'Per agent pool, the newest NodePoolRollingStarted/Succeeded/Failed by event time',
    }),
    newKubernetesVersionAvailable: z
      .looseObject({
        latestSupportedKubernetesVersion: z.string(),
        latestStableKubernetesVersion: z.string(),
        lowestMinorKubernetesVersion: z.string(),
        latestPreviewKubernetesVersion: z.string().optional(),
        at: z.string(),
        eventId: z.string(),
      })
      .optional()
      .meta({ description: 'The newest NewKubernetesVersionAvailable event' }),
    eventsReceived: z.int().min(0).meta({
      description: 'Distinct events received (redeliveries of one event id are not counted)',
    }),
  })
  .meta({
    id: 'AksEvents',
    description:
      "AKS clusters: what AKS announced on Event Grid, once delivered to the app's Event Grid function.",
  });

export const clusterStatusSchema = z
  .looseObject({
    name: z.string(),
    instanceId: z.string(),
    runtimeStatus: z.string().meta({
      description:
        'Durable runtime status of the last operation: Pending, Running, Completed, Failed, Terminated',
    }),
    operation: z.enum(['provision', 'delete']).optional(),
    phase: clusterPhaseSchema.optional(),
    resources: z.looseObject({ done: z.int().min(0), total: z.int().min(0) }).optional(),
    zones: z.record(z.string(), zoneProgressSchema).optional(),
    apiServer: z.looseObject({ ip: z.string(), endpoint: z.string() }).optional(),
    error: clusterErrorSchema.optional(),
    rolledBack: z.boolean().optional(),
    placements: z
      .array(
        z.looseObject({
          node: z.string(),
          pool: z.string(),
          vmSize: z.string(),
          fromZone: z.string(),
          toZone: z.string(),
          error: clusterErrorSchema,
        }),
      )
      .optional()
      .meta({
        description:
          "Nodes placed in another zone of their pool because theirs could not allocate the VM size (ARM's error kept); a later apply leaves them there",
      }),
    resourceGroup: z.string().optional(),
    location: z.string().optional(),
    createdTime: z.string().optional(),
    lastUpdatedTime: z.string().optional(),
    fqdn: z.string().optional().meta({ description: "AKS: the API server's FQDN" }),
    bootstrap: z
      .looseObject({
        caCertHash: z.string(),
        joinTokenSecretId: z.string(),
        joinTokenExpiresOn: z.string(),
      })
      .optional()
      .meta({
        description:
          "IaaS: the public bootstrap facts of the cluster's Key Vault: the cluster CA certificate's hash (`sha256:…`, what joining nodes pin) and the join token's secret id and expiry. Never a secret value.",
      }),
    aksEvents: aksEventsSchema.optional(),
    scaleSetPools: z
      .record(
        z.string(),
        z.looseObject({
          orchestration: z.literal('FlexibleScaleSet'),
          desired: z.int().min(0),
          actual: z.int().min(0),
          ready: z.int().min(0),
          zones: z.record(
            z.string(),
            z.looseObject({
              scaleSet: z.string(),
              capacity: z.int().min(0).optional(),
              provisioningState: z.string().optional(),
              nodes: z.int().min(0),
              nodesReady: z.int().min(0),
            }),
          ),
          nodes: z.array(
            z.looseObject({
              name: z.string(),
              computerName: z.string().optional(),
              zone: z.string().optional(),
              state: z.string(),
              scaleSet: z.string(),
            }),
          ),
        }),
      )
      .optional()
      .meta({
        description:
          'IaaS pools built as Flexible scale sets (one per zone), read from ARM: per zone the set (capacity, state), per node the member VM (name, zone, provisioning state)',
      }),
  })
  .meta({ id: 'ClusterStatus', description: 'Where a cluster stands: its last operation and its progress.' });

export const clusterListSchema = z
  .object({ clusters: z.array(clusterStatusSchema) })
  .meta({ id: 'ClusterList' });

export const checkStatusSchema = z
  .looseObject({
    id: z.string().meta({ description: 'The orchestration instance id (`cluster-<name>`)' }),
    statusQueryGetUri: z.string(),
    sendEventPostUri: z.string(),
    terminatePostUri: z.string(),
    purgeHistoryDeleteUri: z.string(),
  })
  .meta({
    id: 'CheckStatus',
    description:
      "Durable Functions' check-status payload; the URIs carry the Durable system key. Follow the cluster with GET /api/clusters/{name}.",
  });

const plannedResourceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  role: z.string().optional(),
  zone: z.string().optional(),
  node: z.string().optional(),
  pool: z.string().optional(),
  dependsOn: z.array(z.string()),
  owned: z.boolean(),
  body: z.record(z.string(), z.unknown()),
});

export const planSchema = z
  .looseObject({
    cluster: z.looseObject({
      name: z.string(),
      type: z.enum(['iaas', 'aks']),
      subscriptionId: z.string(),
      resourceGroup: z.string(),
      location: z.string(),
      zones: z.array(z.string()),
    }),
    resources: z.array(plannedResourceSchema),
  })
  .meta({
    id: 'Plan',
    description: 'Every ARM resource the cluster needs, its dependencies and exact body.',
  });

export const nodeStateSchema = z.enum(['ready', 'provisioning', 'pending', 'failed', 'deleting', 'deleted']);

export const topologyNodeSchema = z.looseObject({
  name: z.string(),
  role: z.enum(['controlPlane', 'worker']),
  pool: z.string(),
  vmSize: z.string().optional(),
  state: nodeStateSchema,
});

export const topologySchema = z
  .looseObject({
    cluster: clusterStatusSchema,
    zones: z.array(z.looseObject({ zone: z.string(), nodes: z.array(topologyNodeSchema) })),
    vnet: z.looseObject({ name: z.string(), cidr: z.string().optional(), owned: z.boolean() }).optional(),
    subnets: z.array(
      z.looseObject({
        name: z.string(),
        role: z.enum(['controlPlane', 'worker']),
        cidr: z.string().optional(),
        nsg: z.string().optional(),
        natGateway: z.string().optional(),
      }),
    ),
    loadBalancer: z
      .looseObject({
        name: z.string(),
        frontendPublicIp: z.string().optional(),
        port: z.int().optional(),
        probe: z.string().optional(),
      })
      .optional(),
    apiServer: z.looseObject({ ip: z.string(), endpoint: z.string() }).optional(),
    scaling: z
      .array(z.record(z.string(), z.unknown()))
      .meta({ description: 'Recent scaling decisions per node pool, when the server records them' }),
    failure: clusterErrorSchema.extend({ hint: z.string() }).optional(),
  })
  .meta({
    id: 'ClusterTopology',
    description:
      'One cluster as the status page draws it: nodes per zone with their states, subnets and NSGs, load balancer, API endpoint, failure.',
  });

export const scaleRequestSchema = z
  .strictObject({ count: z.int().min(0).max(1000) })
  .meta({ id: 'ScaleRequest', description: 'The node count a pool should have' });

export type SpecErrorBody = z.infer<typeof specErrorSchema>;
export type ProblemBody = z.infer<typeof problemSchema>;
export type ClusterStatusBody = z.infer<typeof clusterStatusSchema>;
export type ClusterListBody = z.infer<typeof clusterListSchema>;
export type CheckStatusBody = z.infer<typeof checkStatusSchema>;
export type TopologyBody = z.infer<typeof topologySchema>;
export type TopologyNode = z.infer<typeof topologyNodeSchema>;
export type NodeState = z.infer<typeof nodeStateSchema>;
