/**
 * What an AKS cluster gets beside its body: a built-in Kubernetes policy initiative assigned at the
 * resource group's scope (the Azure Policy add-on enforces it in every cluster of the group), and
 * GitOps with Flux — the `microsoft.flux` cluster extension, then a Flux configuration that syncs
 * the cluster from a Git repository.
 */
import type { AksClusterSpec, KUBERNETES_POLICY_INITIATIVES } from '../spec';
import { type PlanContext, resource, TAG_CLUSTER } from './context';
import { type PlannedResource, ResourceTypes } from './types';

type Initiative = (typeof KUBERNETES_POLICY_INITIATIVES)[number];

/** Built-in initiatives ("policy set definitions") for AKS pod security. */
export const KUBERNETES_INITIATIVES: Record<Initiative, { id: string; slug: string; title: string }> = {
  podSecurityBaseline: {
    id: '/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d',
    slug: 'pod-security-baseline',
    title: 'Kubernetes cluster pod security baseline standards for Linux-based workloads',
  },
  podSecurityRestricted: {
    id: '/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00',
    slug: 'pod-security-restricted',
    title: 'Kubernetes cluster pod security restricted standards for Linux-based workloads',
  },
};

export const FLUX_EXTENSION_NAME = 'flux';
export const FLUX_NAMESPACE = 'flux-system';
const FLUX_TIMEOUT_SECONDS = 600;

/** `10s`, `10m`, `1h` → seconds. */
export function durationSeconds(duration: string): number {
  const match = /^([0-9]+)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`not a duration: "${duration}"`);
  const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return Number(match[1]) * unit;
}

/**
 * `poolIds`: the cluster's agent pools. AKS runs one operation at a time on a cluster, so the
 * extension installs once the pools are done rather than fail with AnotherOperationInProgress.
 */
export function planAksAddons(
  spec: AksClusterSpec,
  ctx: PlanContext,
  clusterId: string,
  poolIds: readonly string[] = [],
): PlannedResource[] {
  const resources: PlannedResource[] = [];
  const { initiative } = spec.azurePolicy;
  if (spec.azurePolicy.enabled && initiative !== undefined) {
    const chosen = KUBERNETES_INITIATIVES[initiative];
    const scope = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${spec.resourceGroup}`;
    resources.push(
      resource({
        // Named for the cluster, so deleting the cluster removes the assignment it made and no other.
        id: `${scope}/providers/${ResourceTypes.policyAssignment}/${spec.name}-${chosen.slug}`,
        type: ResourceTypes.policyAssignment,
        role: 'policyAssignment',
        // Independent of the cluster: the add-on picks the assignment up whenever both exist.
        dependsOn: [],
        owned: true,
        body: {
          properties: {
            displayName: `${spec.name}: ${chosen.title}`,
            description: `Assigned by the cluster provisioner for AKS cluster ${spec.name}; applies to every cluster in resource group ${spec.resourceGroup}.`,
            policyDefinitionId: chosen.id,
            enforcementMode: 'Default',
            parameters: {
              effect: { value: spec.azurePolicy.effect },
              excludedNamespaces: { value: [...spec.azurePolicy.excludedNamespaces] },
            },
            metadata: { [TAG_CLUSTER]: spec.name },
          },
        },
      }),
    );
  }
  if (spec.gitOps) {
    const { gitOps } = spec;
    const extensionId = `${clusterId}/providers/${ResourceTypes.clusterExtension}/${FLUX_EXTENSION_NAME}`;
    const interval = durationSeconds(gitOps.interval);
    resources.push(
      resource({
        id: extensionId,
        type: ResourceTypes.clusterExtension,
        role: 'fluxExtension',
        dependsOn: [clusterId, ...poolIds],
        owned: true,
        body: {
          properties: {
            extensionType: 'microsoft.flux',
            autoUpgradeMinorVersion: true,
            releaseTrain: 'Stable',
            scope: { cluster: { releaseNamespace: FLUX_NAMESPACE } },
          },
        },
      }),
      resource({
        id: `${clusterId}/providers/${ResourceTypes.fluxConfiguration}/${gitOps.name}`,
        type: ResourceTypes.fluxConfiguration,
        role: 'fluxConfiguration',
        dependsOn: [extensionId],
        owned: true,
        body: {
          properties: {
            scope: 'cluster',
            namespace: FLUX_NAMESPACE,
            sourceKind: 'GitRepository',
            suspend: false,
            gitRepository: {
              url: gitOps.url,
              repositoryRef: { branch: gitOps.branch },
              syncIntervalInSeconds: interval,
              timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
            },
            kustomizations: {
              cluster: {
                path: gitOps.path,
                dependsOn: [],
                syncIntervalInSeconds: interval,
                timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
                prune: true,
              },
            },
          },
        },
      }),
    );
  }
  return resources;
}
