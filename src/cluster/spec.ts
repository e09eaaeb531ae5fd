/**
 * The cluster spec: zod schemas for what a user writes (JSON or YAML) and the fully resolved types
 * the planner works on. Field-local rules (formats, names, ranges) live in the schemas; rules that
 * relate fields to each other or to the region live in validate.ts, and defaults that depend on
 * other fields (zones, subnet ranges, NSG names) are filled in by applyDefaults.ts.
 *
 * Unknown fields are rejected everywhere (strict objects): a typo must not silently fall back to a
 * default. The full format is documented in docs/spec.md.
 */
import { z } from 'zod';

import { CNI_PLUGINS, type CniPlugin, DEFAULT_CNI } from './bootstrap/versions';
import { isIpv4Address, parseIpv4Cidr } from './cidr';
import {
  autoscaleBounds,
  cidr,
  common,
  count,
  guid,
  kubernetesVersion,
  MAX_POOL_NODES,
  MIN_SSH_PREFIX,
  nameOf,
  sourceRanges,
  ssh,
  uniqueList,
  vmSize,
  zones,
} from './specFields';

export {
  IAAS_POD_CIDR_CANDIDATES,
  IAAS_SERVICE_CIDR_CANDIDATES,
  MAX_POOL_NODES,
  MAX_USER_TAGS,
  RESERVED_TAG_PREFIX,
  VM_SIZE_PATTERN,
  vmSizeSupportsPremiumStorage,
} from './specFields';

export const CONTROL_PLANE_COUNTS = [1, 3, 5, 7] as const;
/** Azure's limit for `osProfile.customData` before base64 encoding. */
export const MAX_CLOUD_INIT_BYTES = 64 * 1024;
/** What a spec's own `cloudInit` may take: the Kubernetes bootstrap's cloud-config (~15 KiB) shares the 64 KiB. */
export const MAX_USER_CLOUD_INIT_BYTES = 40 * 1024;
/** The first lines cloud-init recognises in a part of a multipart custom data. */
export const CLOUD_INIT_MARKERS = ['#cloud-config', '#!', '#cloud-boothook'] as const;

// ---------------------------------------------------------------------------------------------
// IaaS

export const OS_DISK_TYPES = ['Standard_LRS', 'StandardSSD_LRS', 'Premium_LRS'] as const;

const osDisk = z.strictObject({
  sizeGB: z.number().int().min(30).max(4095).default(128),
  type: z.enum(OS_DISK_TYPES).default('StandardSSD_LRS'),
});

const cloudInit = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_USER_CLOUD_INIT_BYTES, {
    message: `cloud-init data is limited to ${MAX_USER_CLOUD_INIT_BYTES} bytes (Azure allows ${MAX_CLOUD_INIT_BYTES} bytes of custom data; the Kubernetes bootstrap takes the rest)`,
  })
  .refine((value) => CLOUD_INIT_MARKERS.some((marker) => value.replace(/^\uFEFF/, '').startsWith(marker)), {
    message: `must start with ${CLOUD_INIT_MARKERS.map((m) => `"${m}"`).join(', ')}: it runs next to the Kubernetes bootstrap as a part of a multipart custom data`,
  });

/**
 * A worker pool's nodes as single VMs (a NIC and a VM per node, named `<cluster>-<pool>-<i>`) or as
 * one Flexible-orchestration scale set per zone whose members are plain VMs named by Azure.
 */
export const POOL_ORCHESTRATIONS = ['VirtualMachines', 'FlexibleScaleSet'] as const;
export type PoolOrchestration = (typeof POOL_ORCHESTRATIONS)[number];

/** A new pool without `orchestration` gets FlexibleScaleSet from this count on (docs/large-clusters.md). */
export const FLEX_POOL_MIN_COUNT = 100;

export const iaasNodePoolSchema = z.strictObject({
  name: nameOf('nodePool'),
  count: count(MAX_POOL_NODES),
  ...autoscaleBounds,
  vmSize,
  zones: zones.optional(),
  osDisk: osDisk.prefault({}),
  cloudInit: cloudInit.optional(),
  orchestration: z.enum(POOL_ORCHESTRATIONS).optional(),
});

const subnet = z.strictObject({
  name: nameOf('subnet').optional(),
  cidr: cidr.optional(),
  nsg: z
    .strictObject({
      name: nameOf('networkSecurityGroup').optional(),
      resourceGroup: nameOf('resourceGroup').optional(),
    })
    .optional(),
});

const iaasNetwork = z.strictObject({
  vnet: z
    .strictObject({
      name: nameOf('virtualNetwork').optional(),
      cidr: cidr.optional(),
      existing: z
        .strictObject({ resourceGroup: nameOf('resourceGroup'), name: nameOf('virtualNetwork') })
        .optional(),
    })
    .prefault({}),
  controlPlaneSubnet: subnet.prefault({}),
  workerSubnet: subnet.prefault({}),
  apiServer: z
    .strictObject({
      authorizedCidrs: sourceRanges.default(['0.0.0.0/0']),
      /** The internal load balancer's frontend address in the control-plane subnet (nodes reach the API there). */
      internalIp: z
        .string()
        .refine(isIpv4Address, { message: 'not an IPv4 address such as 10.0.0.250' })
        .optional(),
    })
    .prefault({}),
  /** The pod network plugin the first control-plane node installs. */
  cni: z.enum(CNI_PLUGINS).default(DEFAULT_CNI),
  podCidr: cidr.optional(),
  serviceCidr: cidr.optional(),
  sshAllowedCidrs: sourceRanges
    .superRefine((values, ctx) => {
      values.forEach((value, index) => {
        if (value === '0.0.0.0/0') {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: 'SSH from anywhere is not allowed; list your bastion or VPN ranges',
          });
          return;
        }
        // Anywhere split into a few halves is still anywhere: no single SSH range may be wider than a /8.
        const parsed = parseIpv4Cidr(value.includes('/') ? value : `${value}/32`);
        if (parsed.ok && parsed.cidr.prefix < MIN_SSH_PREFIX) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `SSH from ${value} is too wide (more than a /${MIN_SSH_PREFIX}); list your bastion or VPN ranges`,
          });
        }
      });
    })
    .default([]),
});

const controlPlane = z.strictObject({
  count: z
    .number()
    .refine((value) => (CONTROL_PLANE_COUNTS as readonly number[]).includes(value), {
      message: 'must be 1, 3, 5 or 7 (an odd count keeps etcd quorum)',
    })
    .default(3),
  vmSize: vmSize.default('Standard_D2s_v5'),
  zones: zones.optional(),
  osDisk: osDisk.prefault({}),
  cloudInit: cloudInit.optional(),
});

const image = z.strictObject({
  publisher: z.string().min(1),
  offer: z.string().min(1),
  sku: z.string().min(1),
  version: z.string().min(1).default('latest'),
});

export const DEFAULT_IMAGE = {
  publisher: 'Canonical',
  offer: 'ubuntu-24_04-lts',
  sku: 'server',
  version: 'latest',
} as const;

export const iaasClusterSpecSchema = z.strictObject({
  type: z.literal('iaas'),
  ...common,
  network: iaasNetwork.prefault({}),
  controlPlane: controlPlane.prefault({}),
  nodePools: z.array(iaasNodePoolSchema).default([]),
  ssh,
  image: image.default({ ...DEFAULT_IMAGE }),
});

// ---------------------------------------------------------------------------------------------
// AKS

export const aksNodePoolSchema = z.strictObject({
  name: nameOf('nodePool'),
  count: count(MAX_POOL_NODES),
  ...autoscaleBounds,
  vmSize,
  zones: zones.optional(),
  mode: z.enum(['System', 'User']).optional(),
  /**
   * Whether AKS's cluster autoscaler owns the pool's count (default: when minCount < maxCount). With
   * `false` and minCount < maxCount, the count is the provisioner's to scale within the bounds
   * (Event Grid demand, scale requests, the scale route).
   */
  clusterAutoscaler: z.boolean().optional(),
  osDiskSizeGB: z.number().int().min(30).max(2048).optional(),
  maxPods: z.number().int().min(10).max(250).optional(),
  /** The pool's `orchestratorVersion`; default: the cluster's. At most two minors behind it. */
  kubernetesVersion: kubernetesVersion.optional(),
});

const enabledFlag = (enabled: boolean) =>
  z.strictObject({ enabled: z.boolean().default(enabled) }).prefault({});

export const AKS_SUPPORT_PLANS = ['KubernetesOfficial', 'AKSLongTermSupport'] as const;

/** A Go duration as the cluster autoscaler reads it: `10s`, `10m`, `1h`. */
const duration = z
  .string()
  .regex(/^[0-9]+(?:s|m|h)$/, { message: 'a duration such as "10s", "10m" or "1h"' });

/**
 * The cluster autoscaler's profile, in camelCase like the rest of the spec; the plan sends it with
 * AKS's kebab-case wire keys and string values (`"scan-interval": "20s"`).
 */
export const autoscalerProfileSchema = z.strictObject({
  scanInterval: duration.optional(),
  expander: z.enum(['least-waste', 'most-pods', 'priority', 'random']).optional(),
  balanceSimilarNodeGroups: z.boolean().optional(),
  scaleDownDelayAfterAdd: duration.optional(),
  scaleDownUnneededTime: duration.optional(),
  scaleDownUnreadyTime: duration.optional(),
  scaleDownUtilizationThreshold: z.number().min(0).max(1).optional(),
  maxGracefulTerminationSec: z.number().int().min(0).max(86_400).optional(),
  maxNodeProvisionTime: duration.optional(),
  newPodScaleUpDelay: duration.optional(),
  skipNodesWithLocalStorage: z.boolean().optional(),
  skipNodesWithSystemPods: z.boolean().optional(),
});
export type AutoscalerProfileSpec = z.output<typeof autoscalerProfileSchema>;

/** Built-in Azure Policy initiatives for Kubernetes a spec may assign (see plan/aksGovernance.ts). */
export const KUBERNETES_POLICY_INITIATIVES = ['podSecurityBaseline', 'podSecurityRestricted'] as const;
export const DEFAULT_POLICY_EXCLUDED_NAMESPACES = [
  'kube-system',
  'gatekeeper-system',
  'azure-arc',
  'azure-extensions-usage-system',
] as const;

const azurePolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Assign this initiative at the resource group's scope (every cluster in the group gets it). */
  initiative: z.enum(KUBERNETES_POLICY_INITIATIVES).optional(),
  effect: z.enum(['Audit', 'Deny']).default('Audit'),
  excludedNamespaces: uniqueList(z.string().min(1).max(63), 'namespace').default([
    ...DEFAULT_POLICY_EXCLUDED_NAMESPACES,
  ]),
});

const gitUrl = z.string().regex(/^(?:https:\/\/|ssh:\/\/|git@)[^\s]+$/, {
  message: 'a Git repository URL starting with https://, ssh:// or git@',
});

/** GitOps with Flux: the microsoft.flux extension, then one Flux configuration. */
const gitOpsSchema = z.strictObject({
  name: nameOf('fluxConfiguration').default('cluster-config'),
  url: gitUrl,
  branch: z.string().min(1).max(250).default('main'),
  path: z.string().min(1).default('./'),
  interval: duration.default('10m'),
});

export const aksClusterSpecSchema = z.strictObject({
  type: z.literal('aks'),
  ...common,
  tier: z.enum(['Free', 'Standard', 'Premium']).default('Standard'),
  supportPlan: z.enum(AKS_SUPPORT_PLANS).default('KubernetesOfficial'),
  autoscaler: autoscalerProfileSchema.default({}),
  dnsPrefix: nameOf('dnsPrefix').optional(),
  nodePools: z.array(aksNodePoolSchema).min(1, { message: 'an AKS cluster needs at least one node pool' }),
  aad: z
    .strictObject({
      enableAzureRBAC: z.boolean().default(true),
      adminGroupObjectIDs: uniqueList(guid, 'group').default([]),
      tenantId: guid.optional(),
    })
    .prefault({}),
  disableLocalAccounts: z.boolean().default(true),
  azurePolicy: azurePolicySchema.prefault({}),
  gitOps: gitOpsSchema.optional(),
  keda: enabledFlag(true),
  virtualNodes: z
    .strictObject({ enabled: z.boolean().default(false), subnetName: nameOf('subnet').optional() })
    .prefault({}),
  apiServer: z
    .strictObject({
      private: z.boolean().default(false),
      authorizedCidrs: sourceRanges.default(['0.0.0.0/0']),
    })
    .prefault({}),
  network: z
    .strictObject({
      plugin: z.enum(['azure', 'kubenet', 'none']).default('azure'),
      pluginMode: z.literal('overlay').optional(),
      policy: z.enum(['azure', 'calico', 'cilium']).optional(),
      podCidr: cidr.optional(),
      serviceCidr: cidr.default('10.0.0.0/16'),
      dnsServiceIP: z
        .string()
        .refine(isIpv4Address, { message: 'not an IPv4 address such as 10.0.0.10' })
        .default('10.0.0.10'),
      /** The VNet the provisioner creates (when `nodeSubnet` is not given). */
      vnet: z
        .strictObject({
          name: nameOf('virtualNetwork').optional(),
          cidr: cidr.optional(),
          nodeSubnetCidr: cidr.optional(),
          virtualNodesSubnetCidr: cidr.optional(),
        })
        .optional(),
      /** A subnet you bring for the nodes (its VNet is then yours: read and checked, never written). */
      nodeSubnet: z
        .strictObject({
          vnetResourceGroup: nameOf('resourceGroup').optional(),
          vnetName: nameOf('virtualNetwork'),
          name: nameOf('subnet'),
        })
        .optional(),
    })
    .prefault({}),
  ssh: ssh.optional(),
});

export const clusterSpecSchema = z.discriminatedUnion('type', [iaasClusterSpecSchema, aksClusterSpecSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'required: "iaas" or "aks"' : undefined),
});

/** What a user may write (before defaults). */
export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;
export type IaasClusterSpecInput = z.input<typeof iaasClusterSpecSchema>;
export type AksClusterSpecInput = z.input<typeof aksClusterSpecSchema>;
/** Schema output: constant defaults applied, field-dependent defaults not yet. */
export type ParsedIaasClusterSpec = z.output<typeof iaasClusterSpecSchema>;
export type ParsedAksClusterSpec = z.output<typeof aksClusterSpecSchema>;

// ---------------------------------------------------------------------------------------------
// Resolved spec: every default filled in. Re-parsing a resolved spec yields the same spec.

/** What every node pool has, IaaS or AKS; scaling works on this. */
export interface NodePoolSpec {
  name: string;
  count: number;
  /** Lower bound for scaling (defaults to `count`: no scaling unless asked for). */
  minCount: number;
  /** Upper bound for scaling (defaults to `count`). */
  maxCount: number;
  vmSize: string;
  /** Zones the pool spreads over; [] in a region without zones. */
  zones: string[];
}

export interface OsDiskSpec {
  sizeGB: number;
  type: (typeof OS_DISK_TYPES)[number];
}

export interface IaasNodePoolSpec extends NodePoolSpec {
  osDisk: OsDiskSpec;
  cloudInit?: string;
  /**
   * How the pool's workers are built (absent: chosen when the pool is created, see
   * `poolOrchestration` in plan/scaleSets.ts; an existing pool keeps what it was built with).
   */
  orchestration?: PoolOrchestration;
}

export interface AksNodePoolSpec extends NodePoolSpec {
  mode: 'System' | 'User';
  /** AKS's cluster autoscaler owns the count (then only minCount/maxCount are written). */
  clusterAutoscaler: boolean;
  osDiskSizeGB?: number;
  maxPods?: number;
  /** The pool's `orchestratorVersion`: the cluster's unless the spec says otherwise. */
  kubernetesVersion: string;
}

export interface ExistingVnetRef {
  resourceGroup: string;
  name: string;
}

/** A VNet the cluster creates, or one the user brings (then `cidr`, if given, is its address space). */
export type VnetSpec = { name: string; cidr: string } | { existing: ExistingVnetRef; cidr?: string };

export interface SubnetSpec {
  name: string;
  cidr: string;
  nsg: { name: string; resourceGroup: string };
}

export interface CommonClusterSpec {
  name: string;
  resourceGroup: string;
  location: string;
  kubernetesVersion: string;
  tags: Record<string, string>;
  /** What to do when provisioning fails: keep what was built (to retry), or delete what this run created. */
  onFailure: 'keep' | 'rollback';
}

export interface IaasClusterSpec extends CommonClusterSpec {
  type: 'iaas';
  network: {
    vnet: VnetSpec;
    controlPlaneSubnet: SubnetSpec;
    workerSubnet: SubnetSpec;
    /** `internalIp`: the internal load balancer's frontend, where nodes reach the API server. */
    apiServer: { authorizedCidrs: string[]; internalIp: string };
    cni: CniPlugin;
    podCidr: string;
    serviceCidr: string;
    sshAllowedCidrs: string[];
  };
  controlPlane: {
    count: number;
    vmSize: string;
    zones: string[];
    osDisk: OsDiskSpec;
    cloudInit?: string;
  };
  nodePools: IaasNodePoolSpec[];
  ssh: { publicKey: string; adminUsername: string };
  image: { publisher: string; offer: string; sku: string; version: string };
}

export interface AksClusterSpec extends CommonClusterSpec {
  type: 'aks';
  tier: 'Free' | 'Standard' | 'Premium';
  supportPlan: (typeof AKS_SUPPORT_PLANS)[number];
  /** Only the settings the spec gives (AKS keeps its defaults for the others). */
  autoscaler: AutoscalerProfileSpec;
  dnsPrefix: string;
  nodePools: AksNodePoolSpec[];
  aad: { enableAzureRBAC: boolean; adminGroupObjectIDs: string[]; tenantId?: string };
  disableLocalAccounts: boolean;
  azurePolicy: {
    enabled: boolean;
    /** A built-in initiative assigned at the resource group's scope, with its effect and exclusions. */
    initiative?: (typeof KUBERNETES_POLICY_INITIATIVES)[number];
    effect: 'Audit' | 'Deny';
    excludedNamespaces: string[];
  };
  gitOps?: { name: string; url: string; branch: string; path: string; interval: string };
  keda: { enabled: boolean };
  virtualNodes: { enabled: boolean; subnetName?: string };
  apiServer: { private: boolean; authorizedCidrs: string[] };
  network: {
    plugin: 'azure' | 'kubenet' | 'none';
    pluginMode?: 'overlay';
    policy?: 'azure' | 'calico' | 'cilium';
    podCidr?: string;
    serviceCidr: string;
    dnsServiceIP: string;
    /** A brought subnet for the nodes; exactly one of `nodeSubnet` and `vnet` is set. */
    nodeSubnet?: { vnetResourceGroup: string; vnetName: string; name: string };
    /** The VNet the provisioner creates when no subnet is brought (see `aksNodeSubnet`). */
    vnet?: { name: string; cidr: string; nodeSubnetCidr: string; virtualNodesSubnetCidr?: string };
  };
  ssh?: { publicKey: string; adminUsername: string };
}

export type ClusterSpec = IaasClusterSpec | AksClusterSpec;
