/** What every planner module needs: ids, tags and the resource constructor, derived from one spec. */
import type { ClusterSpec } from '../spec';
import {
  type JsonObject,
  type PlannedResource,
  type ResourceRole,
  type ResourceType,
  type ResourceTypes,
} from './types';

export const TAG_CLUSTER = 'clusterProvisioner.cluster';
export const TAG_ROLE = 'clusterProvisioner.role';
export const TAG_POOL = 'clusterProvisioner.pool';
export const TAG_NODE = 'clusterProvisioner.node';

export class PlanContext {
  constructor(
    readonly spec: ClusterSpec,
    readonly subscriptionId: string,
  ) {}

  /** ARM id of a top-level resource; `resourceGroup` defaults to the cluster's. */
  id(type: Exclude<ResourceType, typeof ResourceTypes.subnet>, name: string, resourceGroup?: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroup ?? this.spec.resourceGroup}/providers/${type}/${name}`;
  }

  subnetId(vnetId: string, name: string): string {
    return `${vnetId}/subnets/${name}`;
  }

  /** The user's tags plus ours; ours identify the cluster's resources for status and repair. */
  tags(role: ResourceRole, extra: Record<string, string> = {}): JsonObject {
    return { ...this.spec.tags, [TAG_CLUSTER]: this.spec.name, [TAG_ROLE]: role, ...extra };
  }
}

/** Builds a PlannedResource; `name` is the last id segment. */
export function resource(fields: Omit<PlannedResource, 'name'> & { name?: string }): PlannedResource {
  const name = fields.name ?? fields.id.slice(fields.id.lastIndexOf('/') + 1);
  const { zone, node, pool, inputs, ...rest } = fields;
  return {
    ...rest,
    name,
    ...(zone !== undefined ? { zone } : {}),
    ...(node !== undefined ? { node } : {}),
    ...(pool !== undefined ? { pool } : {}),
    ...(inputs !== undefined && inputs.length > 0 ? { inputs } : {}),
  };
}

/** A Linux VM's (or scale set profile's) configuration: SSH keys only, no password, with the VM agent. */
export function sshOnlyLinux(adminUsername: string, publicKey: string): JsonObject {
  return {
    disablePasswordAuthentication: true,
    provisionVMAgent: true,
    ssh: {
      publicKeys: [{ path: `/home/${adminUsername}/.ssh/authorized_keys`, keyData: publicKey.trim() }],
    },
  };
}
