/**
 * AKS manages its nodes' resources (the pool's virtual machine scale set, its instances, disks and
 * NICs) in the cluster's node resource group, `MC_<resource group>_<cluster>_<location>` unless the
 * cluster names another, and heals them itself. A deletion there is not the provisioner's to repair:
 * the Event Grid function acknowledges and logs it. Pure.
 */

export interface AksNodeResource {
  resourceGroup: string;
  type: string;
}

const ARM_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)/i;

/** The resource's group and type when the id is one of AKS's node resources; undefined otherwise. */
export function aksNodeResourceOf(
  resourceUri: string,
  nodeResourceGroups: readonly string[] = [],
): AksNodeResource | undefined {
  const m = ARM_ID.exec(resourceUri);
  if (!m) return undefined;
  const resourceGroup = m[1] ?? '';
  const type = m[2] ?? '';
  const named = nodeResourceGroups.some((g) => g.toLowerCase() === resourceGroup.toLowerCase());
  const scaleSet = type.toLowerCase() === 'microsoft.compute/virtualmachinescalesets';
  return named || /^MC_/i.test(resourceGroup) || scaleSet ? { resourceGroup, type } : undefined;
}
