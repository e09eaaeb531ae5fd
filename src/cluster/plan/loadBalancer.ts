/**
 * The API server's public endpoint: a zone-redundant Standard public IP and a Standard load
 * balancer with one rule for 6443, an HTTPS /readyz probe, and the control-plane NICs in its
 * backend pool (the NICs join the pool; see compute.ts).
 */
import { API_SERVER_PORT } from '../apiServer';
import type { IaasClusterSpec } from '../spec';
import { type PlanContext, resource } from './context';
import { type PlannedResource, ResourceTypes } from './types';

export const LB_FRONTEND_NAME = 'apiserver-frontend';
export const LB_BACKEND_POOL_NAME = 'control-plane';
export const LB_PROBE_NAME = 'apiserver-readyz';
export const LB_RULE_NAME = 'apiserver';
export const PROBE_INTERVAL_SECONDS = 15;

export interface LoadBalancerPlan {
  resources: PlannedResource[];
  loadBalancerId: string;
  backendPoolId: string;
}

export function planApiServerLoadBalancer(
  spec: IaasClusterSpec,
  ctx: PlanContext,
  regionZones: readonly string[],
): LoadBalancerPlan {
  const publicIpId = ctx.id(ResourceTypes.publicIPAddress, `${spec.name}-api-pip`);
  const loadBalancerId = ctx.id(ResourceTypes.loadBalancer, `${spec.name}-api-lb`);
  const frontendId = `${loadBalancerId}/frontendIPConfigurations/${LB_FRONTEND_NAME}`;
  const backendPoolId = `${loadBalancerId}/backendAddressPools/${LB_BACKEND_POOL_NAME}`;
  const probeId = `${loadBalancerId}/probes/${LB_PROBE_NAME}`;

  const publicIp = resource({
    id: publicIpId,
    type: ResourceTypes.publicIPAddress,
    role: 'apiServerPublicIp',
    dependsOn: [],
    owned: true,
    body: {
      location: spec.location,
      tags: ctx.tags('apiServerPublicIp'),
      sku: { name: 'Standard', tier: 'Regional' },
      // Zone-redundant: listing every zone of the region keeps the endpoint up when one zone is down.
      ...(regionZones.length > 0 ? { zones: [...regionZones] } : {}),
      properties: {
        publicIPAllocationMethod: 'Static',
        publicIPAddressVersion: 'IPv4',
        idleTimeoutInMinutes: 4,
      },
    },
  });

  const loadBalancer = resource({
    id: loadBalancerId,
    type: ResourceTypes.loadBalancer,
    role: 'apiServerLoadBalancer',
    dependsOn: [publicIpId],
    owned: true,
    body: {
      location: spec.location,
      tags: ctx.tags('apiServerLoadBalancer'),
      sku: { name: 'Standard', tier: 'Regional' },
      properties: {
        frontendIPConfigurations: [
          { name: LB_FRONTEND_NAME, properties: { publicIPAddress: { id: publicIpId } } },
        ],
        backendAddressPools: [{ name: LB_BACKEND_POOL_NAME }],
        probes: [
          {
            name: LB_PROBE_NAME,
            properties: {
              protocol: 'Https',
              port: API_SERVER_PORT,
              requestPath: '/readyz',
              intervalInSeconds: PROBE_INTERVAL_SECONDS,
              numberOfProbes: 4,
              probeThreshold: 1,
            },
          },
        ],
        loadBalancingRules: [
          {
            name: LB_RULE_NAME,
            properties: {
              protocol: 'Tcp',
              frontendPort: API_SERVER_PORT,
              backendPort: API_SERVER_PORT,
              frontendIPConfiguration: { id: frontendId },
              backendAddressPool: { id: backendPoolId },
              probe: { id: probeId },
              loadDistribution: 'Default',
              idleTimeoutInMinutes: 4,
              enableFloatingIP: false,
              enableTcpReset: true,
              // Outbound goes through the NAT gateway, never through the API endpoint's address.
              disableOutboundSnat: true,
            },
          },
        ],
      },
    },
  });

  return { resources: [publicIp, loadBalancer], loadBalancerId, backendPoolId };
}
