/**
 * The deployment as plain data: every ARM resource `npm run deploy` creates or updates, with the
 * body it PUTs, the api-version and what it waits for. No I/O: the dry run prints it, the apply walks
 * it, and a test checks that `infra/main.json` describes the same resources.
 *
 * Values only known once a resource exists (the identity's principal and client ids, Application
 * Insights' connection string) are written as `runtimeRef(id, property)` markers inside strings; the
 * apply replaces them with the resource's `properties.<property>` before it PUTs.
 */
import { createHash } from 'node:crypto';

import { ResourceTypes } from '../src/cluster/plan/types';
import type { DeployOptions } from './options';
import { BuiltInRoles, targetRoles } from './roles';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The app's Event Grid function: node-scaling events and ARM resource events. */
export const EVENT_GRID_FUNCTION = 'nodeScalingEvents';

/** Custom events the node-scaling topic carries (see the README's node-scaling events). */
export const NODE_SCALING_EVENT_TYPES = [
  'ClusterProvisioner.NodePool.DemandReported',
  'ClusterProvisioner.NodePool.ScaleRequested',
];

export const RESOURCE_EVENT_TYPES = [
  'Microsoft.Resources.ResourceWriteSuccess',
  'Microsoft.Resources.ResourceDeleteSuccess',
];

/** The blob container Flex Consumption deploys the app's package from. */
export const PACKAGE_CONTAINER = 'app-package';

export const ApiVersions = {
  'Microsoft.Resources/resourceGroups': '2025-04-01',
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2024-11-30',
  'Microsoft.Storage/storageAccounts': '2026-06-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2026-06-01',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Web/serverfarms': '2025-05-01',
  'Microsoft.Web/sites': '2025-05-01',
  'Microsoft.Web/sites/config': '2025-05-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.EventGrid/topics': '2022-06-15',
  'Microsoft.EventGrid/topics/eventSubscriptions': '2022-06-15',
  'Microsoft.EventGrid/systemTopics': '2022-06-15',
  'Microsoft.EventGrid/systemTopics/eventSubscriptions': '2022-06-15',
} as const;

export type DeployResourceType = keyof typeof ApiVersions;

export interface DeployResource {
  /** Full ARM id. */
  id: string;
  type: DeployResourceType;
  /** The name as ARM templates write it (`parent/child` for child resources). */
  name: string;
  apiVersion: string;
  /** The resource group it lives in. */
  resourceGroup: string;
  /** The request body exactly as PUT, except for runtime references. */
  body: JsonObject;
  /** Ids that must exist first. */
  dependsOn: string[];
  /** One line for the dry run. */
  purpose: string;
  /**
   * When it is applied: `infrastructure` before the app's package is uploaded, `afterPackage` once
   * the functions exist (an Event Grid subscription to an Azure Function is validated against it).
   */
  stage: 'infrastructure' | 'afterPackage';
}

export interface DeploymentPlan {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  functionApp: { id: string; name: string; hostName: string; scmHostName: string };
  identityId: string;
  storageAccountName: string;
  resources: DeployResource[];
}

/** A value read from another resource's `properties` once it exists. */
export function runtimeRef(id: string, property: string): string {
  return `$ref(${id}#${property})`;
}

export const RUNTIME_REF = /\$ref\(([^#)]+)#([^)]+)\)/g;

/** The storage account's default name: the app's name without hyphens, plus `st` (3-24 lowercase alphanumerics). */
export function defaultStorageAccountName(appName: string): string {
  return `${appName.replace(/-/g, '').toLowerCase().slice(0, 22)}st`;
}

/** Prefixes of the ARM operation names of the types the app creates: what its resource events are filtered to. */
export function ownedOperationPrefixes(): string[] {
  // One `StringBeginsWith` value per owned type (its writes and deletes: `<type>/write`, `<type>/delete`),
  // dropping types a shorter prefix already covers (subnets under virtualNetworks): Event Grid allows 25
  // filter values, and the app owns more types than 25 ÷ 2 exact operation names would fit.
  const prefixes = [...new Set(Object.values(ResourceTypes).map((t) => `${t}/`))].sort();
  return prefixes.filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q)));
}

/** A GUID that depends only on its parts (SHA-1 name-based, RFC 4122 version 5 layout). */
export function stableGuid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('|').toLowerCase()).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function planDeployment(options: DeployOptions): DeploymentPlan {
  const { subscriptionId, resourceGroup, location, name } = options;
  const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const id = (type: string, resourceName: string): string => `${rgId}/providers/${type}/${resourceName}`;
  const roleDefinition = (role: string): string =>
    `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
  const storageName = options.storageAccountName ?? defaultStorageAccountName(name);
  const tags: JsonObject = { 'azd-env-name': name, 'clusterProvisioner.deployment': name };

  const identityName = `${name}-id`;
  const identityId = id('Microsoft.ManagedIdentity/userAssignedIdentities', identityName);
  const principalId = runtimeRef(identityId, 'principalId');
  const clientId = runtimeRef(identityId, 'clientId');
  const storageId = id('Microsoft.Storage/storageAccounts', storageName);
  const containerName = `${storageName}/default/${PACKAGE_CONTAINER}`;
  const containerId = `${storageId}/blobServices/default/containers/${PACKAGE_CONTAINER}`;
  const workspaceName = `${name}-logs`;
  const workspaceId = id('Microsoft.OperationalInsights/workspaces', workspaceName);
  const insightsName = `${name}-insights`;
  const insightsId = id('Microsoft.Insights/components', insightsName);
  const planName = `${name}-plan`;
  const planId = id('Microsoft.Web/serverfarms', planName);
  const siteId = id('Microsoft.Web/sites', name);
  const functionId = `${siteId}/functions/${EVENT_GRID_FUNCTION}`;
  const topicName = `${name}-node-scaling`;
  const topicId = id('Microsoft.EventGrid/topics', topicName);

  const resources: DeployResource[] = [];
  const add = (
    r: Omit<DeployResource, 'apiVersion' | 'resourceGroup' | 'stage'> &
      Partial<Pick<DeployResource, 'resourceGroup' | 'stage'>>,
  ): void => {
    resources.push({
      ...r,
      apiVersion: ApiVersions[r.type],
      resourceGroup: r.resourceGroup ?? resourceGroup,
      stage: r.stage ?? 'infrastructure',
    });
  };
  const roleAssignment = (
    scope: string,
    scopeGroup: string,
    role: string,
    purpose: string,
    dependsOn: string[],
    condition?: string,
  ): void => {
    const guid = stableGuid(scope, role, identityId);
    const properties: JsonObject = {
      roleDefinitionId: roleDefinition(role),
      principalId,
      principalType: 'ServicePrincipal',
    };
    if (condition !== undefined) {
      properties['condition'] = condition;
      properties['conditionVersion'] = '2.0';
    }
    add({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`,
      type: 'Microsoft.Authorization/roleAssignments',
      name: guid,
      resourceGroup: scopeGroup,
      body: { properties },
      dependsOn: [identityId, ...dependsOn],
      purpose,
    });
  };

  add({
    id: rgId,
    type: 'Microsoft.Resources/resourceGroups',
    name: resourceGroup,
    body: { location, tags },
    dependsOn: [],
    purpose: 'the resource group of the Function App (created when missing)',
  });
  add({
    id: identityId,
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    name: identityName,
    body: { location, tags },
    dependsOn: [rgId],
    purpose: "the app's identity: ARM, storage, Application Insights (no secrets in app settings)",
  });
  add({
    id: storageId,
    type: 'Microsoft.Storage/storageAccounts',
    name: storageName,
    body: {
      location,
      tags,
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      properties: {
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        // Identity only: the host, Durable Functions' task hub and the deployment all use the app's identity.
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
      },
    },
    dependsOn: [rgId],
    purpose: "the Functions host's and Durable Functions' task hub storage, and the app's package",
  });
  add({
    id: containerId,
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    name: containerName,
    body: { properties: { publicAccess: 'None' } },
    dependsOn: [storageId],
    purpose: 'the container Flex Consumption runs the uploaded package from',
  });
  add({
    id: workspaceId,
    type: 'Microsoft.OperationalInsights/workspaces',
    name: workspaceName,
    body: { location, tags, properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 } },
    dependsOn: [rgId],
    purpose: 'the Log Analytics workspace behind Application Insights',
  });
  add({
    id: insightsId,
    type: 'Microsoft.Insights/components',
    name: insightsName,
    body: {
      location,
      tags,
      kind: 'web',
      properties: { Application_Type: 'web', WorkspaceResourceId: workspaceId, DisableLocalAuth: true },
    },
    dependsOn: [workspaceId],
    purpose: 'Application Insights (telemetry sent with the identity: local auth off)',
  });
  const storageRoles: [string, string][] = [
    [BuiltInRoles.storageBlobDataOwner, 'Storage Blob Data Owner: host leases, task hub blobs, the package'],
    [BuiltInRoles.storageQueueDataContributor, 'Storage Queue Data Contributor: task hub queues'],
    [
      BuiltInRoles.storageTableDataContributor,
      'Storage Table Data Contributor: task hub history and instances',
    ],
  ];
  for (const [role, why] of storageRoles)
    roleAssignment(storageId, resourceGroup, role, `identity on storage: ${why}`, [storageId]);
  roleAssignment(
    insightsId,
    resourceGroup,
    BuiltInRoles.monitoringMetricsPublisher,
    'identity on Application Insights: Monitoring Metrics Publisher (Entra-authenticated telemetry)',
    [insightsId],
  );
  add({
    id: planId,
    type: 'Microsoft.Web/serverfarms',
    name: planName,
    body: {
      location,
      tags,
      kind: 'functionapp',
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    },
    dependsOn: [rgId],
    purpose: 'the Flex Consumption plan (Linux)',
  });
  add({
    id: siteId,
    type: 'Microsoft.Web/sites',
    name,
    body: {
      location,
      tags,
      kind: 'functionapp,linux',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } },
      properties: {
        serverFarmId: planId,
        httpsOnly: true,
        siteConfig: { minTlsVersion: '1.2', http20Enabled: true },
        functionAppConfig: {
          deployment: {
            storage: {
              type: 'blobContainer',
              value: `https://${storageName}.blob.core.windows.net/${PACKAGE_CONTAINER}`,
              authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId },
            },
          },
          runtime: { name: 'node', version: '22' },
          scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: 2048 },
        },
      },
    },
    dependsOn: [planId, identityId, containerId],
    purpose: 'the Function App on Node 22 with the user-assigned identity',
  });
  add({
    id: `${siteId}/config/appsettings`,
    type: 'Microsoft.Web/sites/config',
    name: `${name}/appsettings`,
    body: {
      properties: {
        AzureWebJobsStorage__accountName: storageName,
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: clientId,
        AZURE_SUBSCRIPTION_ID: subscriptionId,
        AZURE_CLIENT_ID: clientId,
        // The app's own principal: an IaaS cluster's Key Vault gives it Key Vault Secrets Officer.
        PROVISIONER_PRINCIPAL_ID: principalId,
        ARM_CREDENTIAL: 'default',
        APPLICATIONINSIGHTS_CONNECTION_STRING: runtimeRef(insightsId, 'ConnectionString'),
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${clientId};Authorization=AAD`,
      },
    },
    dependsOn: [siteId, insightsId, storageId],
    purpose:
      'app settings: subscription, identity (DefaultAzureCredential), identity-based storage, telemetry',
  });
  add({
    id: topicId,
    type: 'Microsoft.EventGrid/topics',
    name: topicName,
    body: { location, tags, properties: { inputSchema: 'EventGridSchema', publicNetworkAccess: 'Enabled' } },
    dependsOn: [rgId],
    purpose: 'the custom topic node-scaling events are published to',
  });
  const delivery = (filter: JsonObject): JsonObject => ({
    properties: {
      destination: {
        endpointType: 'AzureFunction',
        properties: { resourceId: functionId, maxEventsPerBatch: 1, preferredBatchSizeInKilobytes: 64 },
      },
      filter,
      eventDeliverySchema: 'EventGridSchema',
      retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
    },
  });
  add({
    id: `${topicId}/eventSubscriptions/${name}`,
    type: 'Microsoft.EventGrid/topics/eventSubscriptions',
    name: `${topicName}/${name}`,
    body: delivery({ includedEventTypes: NODE_SCALING_EVENT_TYPES }),
    dependsOn: [topicId, siteId],
    purpose: `delivers node-scaling events to the function ${EVENT_GRID_FUNCTION}`,
    stage: 'afterPackage',
  });

  const roles = targetRoles(options.features);
  for (const target of options.targetResourceGroups) {
    const targetId = `/subscriptions/${subscriptionId}/resourceGroups/${target}`;
    for (const role of roles)
      roleAssignment(
        targetId,
        target,
        role.roleDefinitionId,
        `identity on ${target}: ${role.name} — ${role.why}`,
        [],
        role.condition,
      );
    const systemTopicName = `${target}-resource-events`;
    const systemTopicId = `${targetId}/providers/Microsoft.EventGrid/systemTopics/${systemTopicName}`;
    add({
      id: systemTopicId,
      type: 'Microsoft.EventGrid/systemTopics',
      name: systemTopicName,
      resourceGroup: target,
      body: {
        location: 'global',
        tags,
        properties: { source: targetId, topicType: 'Microsoft.Resources.ResourceGroups' },
      },
      dependsOn: [],
      purpose: `ARM resource events of ${target}`,
    });
    add({
      id: `${systemTopicId}/eventSubscriptions/${name}`,
      type: 'Microsoft.EventGrid/systemTopics/eventSubscriptions',
      name: `${systemTopicName}/${name}`,
      resourceGroup: target,
      body: delivery({
        includedEventTypes: RESOURCE_EVENT_TYPES,
        advancedFilters: [
          { operatorType: 'StringBeginsWith', key: 'data.operationName', values: ownedOperationPrefixes() },
        ],
      }),
      dependsOn: [systemTopicId, siteId],
      purpose: `delivers writes and deletes of the app's resource types in ${target} to ${EVENT_GRID_FUNCTION}`,
      stage: 'afterPackage',
    });
  }

  return {
    subscriptionId,
    resourceGroup,
    location,
    functionApp: {
      id: siteId,
      name,
      hostName: `${name}.azurewebsites.net`,
      scmHostName: `${name}.scm.azurewebsites.net`,
    },
    identityId,
    storageAccountName: storageName,
    resources,
  };
}

/** The dry run's text: one line per resource, in apply order. */
export function describePlan(plan: DeploymentPlan): string {
  const lines = [
    `Deployment of ${plan.functionApp.name} in ${plan.resourceGroup} (${plan.location}), subscription ${plan.subscriptionId}:`,
  ];
  for (const stage of ['infrastructure', 'afterPackage'] as const) {
    if (stage === 'afterPackage')
      lines.push(`  upload the app's package (npm run package) to ${plan.functionApp.name}`);
    for (const r of plan.resources.filter((x) => x.stage === stage))
      lines.push(`  ${r.type}  ${r.id}\n      ${r.purpose}`);
  }
  return `${lines.join('\n')}\n`;
}
