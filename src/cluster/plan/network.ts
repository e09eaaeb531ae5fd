/**
 * IaaS network: VNet, one NSG per subnet (least privilege), NAT gateway with its public IP for
 * outbound, and the two subnets. Subnets are planned as child resources so each can be applied
 * on its own; the VNet body carries no `subnets` (a VNet PUT with `subnets` would fight them).
 */
import { API_SERVER_PORT } from '../apiServer';
import type { IaasClusterSpec } from '../spec';
import { type PlanContext, resource } from './context';
import { type JsonObject, type PlannedResource, ResourceTypes } from './types';

const ETCD_PORTS = '2379-2380';
const KUBELET_PORT = '10250';
const SSH_PORT = '22';

export interface NetworkPlan {
  resources: PlannedResource[];
  controlPlaneSubnetId: string;
  workerSubnetId: string;
}

interface RuleInput {
  name: string;
  priority: number;
  access: 'Allow' | 'Deny';
  protocol: 'Tcp' | '*';
  sources: string[];
  ports: string;
  destination: string;
  description: string;
}

function securityRule(rule: RuleInput): JsonObject {
  const [firstSource] = rule.sources;
  return {
    name: rule.name,
    properties: {
      description: rule.description,
      priority: rule.priority,
      direction: 'Inbound',
      access: rule.access,
      protocol: rule.protocol,
      sourcePortRange: '*',
      ...(rule.sources.length === 1 && firstSource !== undefined
        ? { sourceAddressPrefix: firstSource }
        : { sourceAddressPrefixes: rule.sources }),
      destinationPortRange: rule.ports,
      destinationAddressPrefix: rule.destination,
    },
  };
}

/**
 * Azure's default rules allow all traffic from inside the VNet (AllowVnetInBound, 65000), so
 * least privilege needs explicit denies for the sensitive ports after the narrow allows; and one
 * explicit deny of everything else from the Internet, so the intent does not rest on defaults.
 * Other node-to-node traffic (CNI overlay, NodePorts) stays allowed within the VNet.
 */
function closingRules(ports: { name: string; ports: string }[]): RuleInput[] {
  return [
    ...ports.map(({ name, ports: range }, index) => ({
      name: `deny-${name}`,
      priority: 4000 + index * 10,
      access: 'Deny' as const,
      protocol: 'Tcp' as const,
      sources: ['*'],
      ports: range,
      destination: '*',
      description: `Deny ${name} (${range}) from everywhere not allowed above`,
    })),
    {
      name: 'deny-internet-inbound',
      priority: 4096,
      access: 'Deny',
      protocol: '*',
      sources: ['Internet'],
      ports: '*',
      destination: '*',
      description: 'Deny everything else from the Internet',
    },
  ];
}

function sshRule(spec: IaasClusterSpec, destination: string, priority: number): RuleInput[] {
  const sources = spec.network.sshAllowedCidrs;
  if (sources.length === 0) return [];
  return [
    {
      name: 'allow-ssh',
      priority,
      access: 'Allow',
      protocol: 'Tcp',
      sources,
      ports: SSH_PORT,
      destination,
      description: 'SSH from the allowed ranges only',
    },
  ];
}

/** Control-plane subnet NSG rules (see docs/spec.md for the table). */
export function controlPlaneSecurityRules(spec: IaasClusterSpec): JsonObject[] {
  const subnet = spec.network.controlPlaneSubnet.cidr;
  const authorized = spec.network.apiServer.authorizedCidrs;
  const port = String(API_SERVER_PORT);
  const rules: RuleInput[] = [
    ...(authorized.length > 0
      ? [
          {
            name: 'allow-apiserver-authorized',
            priority: 100,
            access: 'Allow' as const,
            protocol: 'Tcp' as const,
            sources: authorized,
            ports: port,
            destination: subnet,
            description: 'Kubernetes API server from the authorized ranges',
          },
        ]
      : []),
    {
      name: 'allow-apiserver-vnet',
      priority: 110,
      access: 'Allow',
      protocol: 'Tcp',
      sources: ['VirtualNetwork'],
      ports: port,
      destination: subnet,
      description: 'Kubernetes API server from inside the VNet',
    },
    {
      name: 'allow-apiserver-lb-probe',
      priority: 120,
      access: 'Allow',
      protocol: 'Tcp',
      sources: ['AzureLoadBalancer'],
      ports: port,
      destination: subnet,
      description: "The API load balancer's /readyz health probe",
    },
    {
      name: 'allow-etcd-control-plane',
      priority: 130,
      access: 'Allow',
      protocol: 'Tcp',
      sources: [subnet],
      ports: ETCD_PORTS,
      destination: subnet,
      description: 'etcd client and peer traffic between control-plane nodes only',
    },
    {
      name: 'allow-kubelet-control-plane',
      priority: 140,
      access: 'Allow',
      protocol: 'Tcp',
      sources: [subnet],
      ports: KUBELET_PORT,
      destination: subnet,
      description: 'kubelet API from the control plane only',
    },
    ...sshRule(spec, subnet, 150),
    ...closingRules([
      { name: 'etcd', ports: ETCD_PORTS },
      { name: 'kubelet', ports: KUBELET_PORT },
      { name: 'ssh', ports: SSH_PORT },
    ]),
  ];
  return rules.map(securityRule);
}

/** Worker subnet NSG rules (see docs/spec.md for the table). */
export function workerSecurityRules(spec: IaasClusterSpec): JsonObject[] {
  const subnet = spec.network.workerSubnet.cidr;
  const rules: RuleInput[] = [
    {
      name: 'allow-kubelet-control-plane',
      priority: 100,
      access: 'Allow',
      protocol: 'Tcp',
      sources: [spec.network.controlPlaneSubnet.cidr],
      ports: KUBELET_PORT,
      destination: subnet,
      description: 'kubelet API from the control plane only',
    },
    ...sshRule(spec, subnet, 110),
    ...closingRules([
      { name: 'kubelet', ports: KUBELET_PORT },
      { name: 'ssh', ports: SSH_PORT },
    ]),
  ];
  return rules.map(securityRule);
}

export function planNetwork(spec: IaasClusterSpec, ctx: PlanContext): NetworkPlan {
  const { network } = spec;
  const brought = 'existing' in network.vnet;
  const vnetId =
    'existing' in network.vnet
      ? ctx.id(ResourceTypes.virtualNetwork, network.vnet.existing.name, network.vnet.existing.resourceGroup)
      : ctx.id(ResourceTypes.virtualNetwork, network.vnet.name);
  const resources: PlannedResource[] = [];

  const vnetBody: JsonObject = brought
    ? {
        location: spec.location,
        ...(network.vnet.cidr !== undefined
          ? { properties: { addressSpace: { addressPrefixes: [network.vnet.cidr] } } }
          : {}),
      }
    : {
        location: spec.location,
        tags: ctx.tags('vnet'),
        properties: { addressSpace: { addressPrefixes: [network.vnet.cidr ?? ''] } },
      };
  resources.push(
    resource({
      id: vnetId,
      type: ResourceTypes.virtualNetwork,
      role: 'vnet',
      dependsOn: [],
      owned: !brought,
      body: vnetBody,
    }),
  );

  const nsgs = [
    {
      role: 'controlPlaneNsg' as const,
      subnet: network.controlPlaneSubnet,
      rules: controlPlaneSecurityRules(spec),
    },
    { role: 'workerNsg' as const, subnet: network.workerSubnet, rules: workerSecurityRules(spec) },
  ].map(({ role, subnet, rules }) => {
    const id = ctx.id(ResourceTypes.networkSecurityGroup, subnet.nsg.name, subnet.nsg.resourceGroup);
    const body: JsonObject = {
      location: spec.location,
      ...(brought ? {} : { tags: ctx.tags(role) }),
      properties: { securityRules: rules },
    };
    resources.push(
      resource({ id, type: ResourceTypes.networkSecurityGroup, role, dependsOn: [], owned: !brought, body }),
    );
    return id;
  });
  const [controlPlaneNsgId = '', workerNsgId = ''] = nsgs;

  // A brought VNet's subnets are never written, so outbound is the owner's (a NAT gateway or a
  // firewall route on their subnets); a new VNet gets a NAT gateway on both subnets.
  let natGatewayId: string | undefined;
  if (!brought) {
    const natIpId = ctx.id(ResourceTypes.publicIPAddress, `${spec.name}-nat-pip`);
    natGatewayId = ctx.id(ResourceTypes.natGateway, `${spec.name}-nat`);
    resources.push(
      resource({
        id: natIpId,
        type: ResourceTypes.publicIPAddress,
        role: 'natGatewayPublicIp',
        dependsOn: [],
        owned: true,
        body: {
          location: spec.location,
          tags: ctx.tags('natGatewayPublicIp'),
          sku: { name: 'Standard', tier: 'Regional' },
          properties: {
            publicIPAllocationMethod: 'Static',
            publicIPAddressVersion: 'IPv4',
            idleTimeoutInMinutes: 4,
          },
        },
      }),
      resource({
        id: natGatewayId,
        type: ResourceTypes.natGateway,
        role: 'natGateway',
        dependsOn: [natIpId],
        owned: true,
        body: {
          location: spec.location,
          tags: ctx.tags('natGateway'),
          sku: { name: 'Standard' },
          properties: { idleTimeoutInMinutes: 4, publicIpAddresses: [{ id: natIpId }] },
        },
      }),
    );
  }

  const subnetIds: string[] = [];
  for (const { role, subnet, nsgId } of [
    { role: 'controlPlaneSubnet' as const, subnet: network.controlPlaneSubnet, nsgId: controlPlaneNsgId },
    { role: 'workerSubnet' as const, subnet: network.workerSubnet, nsgId: workerNsgId },
  ]) {
    const id = ctx.subnetId(vnetId, subnet.name);
    const body: JsonObject = {
      properties: {
        addressPrefix: subnet.cidr,
        networkSecurityGroup: { id: nsgId },
        ...(natGatewayId !== undefined
          ? { natGateway: { id: natGatewayId }, defaultOutboundAccess: false }
          : {}),
      },
    };
    // Azure serializes writes to one VNet's subnets, so the second waits for the first rather
    // than failing with AnotherOperationInProgress and retrying (brought subnets are only read).
    const dependsOn = [
      vnetId,
      nsgId,
      ...(natGatewayId !== undefined ? [natGatewayId] : []),
      ...(brought ? [] : subnetIds),
    ];
    resources.push(resource({ id, type: ResourceTypes.subnet, role, dependsOn, owned: !brought, body }));
    subnetIds.push(id);
  }
  const [controlPlaneSubnetId = '', workerSubnetId = ''] = subnetIds;
  return { resources, controlPlaneSubnetId, workerSubnetId };
}
