/**
 * The API server's endpoints: a zone-redundant Standard public IP (with a DNS label: its name is the
 * cluster's control-plane endpoint) on a Standard public load balancer, and a Standard internal load
 * balancer whose static frontend in the control-plane subnet is where nodes reach the API server
 * (see bootstrap/clusterBootstrap.ts for why). Each has one rule for 6443, an HTTPS /readyz probe,
 * and the control-plane NICs in its backend pool (the NICs join the pools; see compute.ts).
 */
import { API_SERVER_PORT } from '../apiServer';
import { apiServerDnsLabel } from '../bootstrap/names';
import type { IaasClusterSpec } from '../spec';
import { type PlanContext, resource } from './context';
import { type JsonObject, type PlannedResource, ResourceTypes } from './types';

export const LB_FRONTEND_NAME = 'apiserver-frontend';
export const LB_BACKEND_POOL_NAME = 'control-plane';
export const LB_PROBE_NAME = 'apiserver-readyz';
export const LB_RULE_NAME = 'apiserver';
export const PROBE_INTERVAL_SECONDS = 15;
export const ILB_FRONTEND_NAME = 'apiserver-internal';

export interface LoadBalancerPlan {
  resources: PlannedResource[];
  loadBalancerId: string;
  backendPoolId: string;
  internalLoadBalancerId: string;
  internalBackendPoolId: string;
}

/** The probe and the 6443 rule, the same on both balancers. */
function apiServerBalancing(loadBalancerId: string, frontendName: string, isPublic: boolean): JsonObject {
  const frontendId = `${loadBalancerId}/frontendIPConfigurations/${frontendName}`;
  const backendPoolId = `${loadBalancerId}/backendAddressPools/${LB_BACKEND_POOL_NAME}`;
  const probeId = `${loadBalancerId}/probes/${LB_PROBE_NAME}`;
  return {
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
          // Outbound goes through the NAT gateway, never through the API endpoint's public address.
          ...(isPublic ? { disableOutboundSnat: true } : {}),
        },
      },
    ],
  };
}

export function planApiServerLoadBalancer(
  spec: IaasClusterSpec,
  ctx: PlanContext,
  regionZones: readonly string[],
  controlPlaneSubnetId: string,
): LoadBalancerPlan {
  const publicIpId = ctx.id(ResourceTypes.publicIPAddress, `${spec.name}-api-pip`);
  const loadBalancerId = ctx.id(ResourceTypes.loadBalancer, `${spec.name}-api-lb`);
  const backendPoolId = `${loadBalancerId}/backendAddressPools/${LB_BACKEND_POOL_NAME}`;
  const internalLoadBalancerId = ctx.id(ResourceTypes.loadBalancer, `${spec.name}-api-ilb`);
  const internalBackendPoolId = `${internalLoadBalancerId}/backendAddressPools/${LB_BACKEND_POOL_NAME}`;
  const dnsLabel = apiServerDnsLabel(ctx.subscriptionId, spec.resourceGroup, spec.name);

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
        // The label's FQDN is the control-plane endpoint: known before the address is.
        dnsSettings: { domainNameLabel: dnsLabel },
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
        ...apiServerBalancing(loadBalancerId, LB_FRONTEND_NAME, true),
      },
    },
  });

  const internalLoadBalancer = resource({
    id: internalLoadBalancerId,
    type: ResourceTypes.loadBalancer,
    role: 'apiServerInternalLoadBalancer',
    dependsOn: [controlPlaneSubnetId],
    owned: true,
    body: {
      location: spec.location,
      tags: ctx.tags('apiServerInternalLoadBalancer'),
      sku: { name: 'Standard', tier: 'Regional' },
      properties: {
        frontendIPConfigurations: [
          {
            name: ILB_FRONTEND_NAME,
            // Zone-redundant like the public frontend.
            ...(regionZones.length > 0 ? { zones: [...regionZones] } : {}),
            properties: {
              privateIPAllocationMethod: 'Static',
              privateIPAddress: spec.network.apiServer.internalIp,
              privateIPAddressVersion: 'IPv4',
              subnet: { id: controlPlaneSubnetId },
            },
          },
        ],
        ...apiServerBalancing(internalLoadBalancerId, ILB_FRONTEND_NAME, false),
      },
    },
  });

  return {
    resources: [publicIp, loadBalancer, internalLoadBalancer],
    loadBalancerId,
    backendPoolId,
    internalLoadBalancerId,
    internalBackendPoolId,
  };
}
