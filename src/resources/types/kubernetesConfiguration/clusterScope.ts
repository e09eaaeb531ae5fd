/**
 * Kubernetes configuration resources are extension resources of a cluster:
 * `<cluster id>/providers/Microsoft.KubernetesConfiguration/<type>/<name>`. The SDK takes the
 * cluster as resource group, provider, type and name.
 */
import type { ResourceRef } from '../../resourceId';
import { nameAt } from '../resourceType';

export interface ClusterScope {
  resourceGroup: string;
  clusterRp: string;
  clusterResourceName: string;
  clusterName: string;
  name: string;
}

export function clusterScopeOf(ref: ResourceRef): ClusterScope {
  const match =
    /\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/providers\/Microsoft\.KubernetesConfiguration\//i.exec(ref.id);
  if (!match) throw new Error(`Not a Kubernetes configuration resource of a cluster: "${ref.id}"`);
  return {
    resourceGroup: ref.resourceGroup,
    clusterRp: match[1] ?? '',
    clusterResourceName: match[2] ?? '',
    clusterName: decodeURIComponent(match[3] ?? ''),
    name: nameAt(ref, ref.names.length - 1),
  };
}
