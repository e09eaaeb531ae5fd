/** planCluster: a valid, resolved spec → every ARM resource with id, dependencies and exact body. */
import { regionZones } from '../applyDefaults';
import type { ClusterSpec } from '../spec';
import { planManagedCluster } from './aks';
import { planBootstrapAccess } from './bootstrapAccess';
import { type ExistingNodes, planNodes } from './compute';
import { PlanContext } from './context';
import { planApiServerLoadBalancer } from './loadBalancer';
import { planNetwork } from './network';
import type { ExistingScaleSets } from './scaleSets';
import type { Plan } from './types';

export class PlanError extends Error {
  override readonly name = 'PlanError';
}

export interface PlanOptions {
  subscriptionId: string;
  /**
   * Nodes that exist today, by pool name (`controlPlane` for the control plane). With them,
   * growing keeps every existing name and zone, and shrinking removes from the fullest zone.
   */
  existingNodes?: ExistingNodes;
  /**
   * Flexible pools that exist today: per pool, its scale sets' capacities per zone (read from ARM).
   * A pool here stays FlexibleScaleSet and keeps each zone's members; a pool in `existingNodes`
   * stays VirtualMachines.
   */
  existingScaleSets?: ExistingScaleSets;
  /**
   * The object id of the identity the app calls Azure with (an IaaS cluster's vault gives it Key
   * Vault Secrets Officer). Without it the plan shows a placeholder (offline `plan`, tests).
   */
  provisionerPrincipalId?: string;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Pure: the same spec and options always give the same plan, resources in a stable order. */
export function planCluster(spec: ClusterSpec, opts: PlanOptions): Plan {
  if (!GUID.test(opts.subscriptionId)) {
    throw new PlanError(`subscriptionId must be a GUID (got "${opts.subscriptionId}")`);
  }
  const ctx = new PlanContext(spec, opts.subscriptionId);
  const zonesUsed =
    spec.type === 'iaas'
      ? [...spec.controlPlane.zones, ...spec.nodePools.flatMap((pool) => pool.zones)]
      : spec.nodePools.flatMap((pool) => pool.zones);
  const cluster: Plan['cluster'] = {
    name: spec.name,
    type: spec.type,
    subscriptionId: opts.subscriptionId,
    resourceGroup: spec.resourceGroup,
    location: spec.location,
    zones: [...new Set(zonesUsed)].sort(),
  };
  if (spec.type === 'aks') return { cluster, resources: planManagedCluster(spec, ctx) };

  const network = planNetwork(spec, ctx);
  const loadBalancer = planApiServerLoadBalancer(
    spec,
    ctx,
    regionZones(spec.location),
    network.controlPlaneSubnetId,
  );
  if (opts.provisionerPrincipalId !== undefined && !GUID.test(opts.provisionerPrincipalId)) {
    throw new PlanError(`provisionerPrincipalId must be a GUID (got "${opts.provisionerPrincipalId}")`);
  }
  const access = planBootstrapAccess(spec, ctx, opts.provisionerPrincipalId);
  const nodes = planNodes(
    spec,
    ctx,
    {
      controlPlaneSubnetId: network.controlPlaneSubnetId,
      workerSubnetId: network.workerSubnetId,
      loadBalancerId: loadBalancer.loadBalancerId,
      backendPoolId: loadBalancer.backendPoolId,
      internalLoadBalancerId: loadBalancer.internalLoadBalancerId,
      internalBackendPoolId: loadBalancer.internalBackendPoolId,
      access,
    },
    opts.existingNodes,
    opts.existingScaleSets,
  );
  return {
    cluster,
    resources: [...network.resources, ...loadBalancer.resources, ...access.resources, ...nodes],
  };
}
