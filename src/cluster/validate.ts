/**
 * parseClusterSpec: text or object in, a fully resolved ClusterSpec or *every* problem out.
 *
 * Two passes run on every input, so one run reports everything wrong at once:
 *  1. the zod schema (types, formats, names, unknown fields);
 *  2. the cross-field rules below (subnets inside the VNet and disjoint, zones of the region,
 *     minCount ≤ count ≤ maxCount, ...). They read the raw input defensively and skip a rule whose
 *     inputs are malformed, since pass 1 already reports those.
 */
import { type z } from 'zod';

import {
  applyDefaults,
  DEFAULT_CONTROL_PLANE_SUBNET_NAME,
  DEFAULT_VNET_CIDR,
  DEFAULT_WORKER_SUBNET_NAME,
  defaultNsgName,
  defaultSubnetCidrs,
} from './applyDefaults';
import { cidrContains, cidrsOverlap, usableSubnetAddresses } from './cidr';
import { formatPath, parseSpecText } from './parseSpecText';
import { asArr, asCidr, asInt, asObj, asStr, Errors, type Obj, orDefault, type SpecError } from './rawInput';
import { findRegion, type Region } from './regions';
import { type ClusterSpec, clusterSpecSchema, vmSizeSupportsPremiumStorage } from './spec';
import { checkAks } from './validateAks';
import { checkIaasKubernetes } from './validateKubernetes';

export type { SpecError } from './rawInput';
export { formatPath };

export type ParseClusterSpecResult = { ok: true; spec: ClusterSpec } | { ok: false; errors: SpecError[] };

/**
 * Validates a cluster spec given as JSON or YAML text, or as an already-parsed object, and
 * resolves every default. Never throws for bad input.
 */
export function parseClusterSpec(input: unknown): ParseClusterSpecResult {
  let raw = input;
  if (typeof input === 'string') {
    const text = parseSpecText(input);
    if (!text.ok) return text;
    raw = text.value;
  }
  if (raw === undefined || raw === null)
    return { ok: false, errors: [{ path: '', message: 'the spec is empty' }] };

  const parsed = clusterSpecSchema.safeParse(raw);
  const errors = dedupe([
    ...(parsed.success ? [] : fromZodIssues(parsed.error.issues)),
    ...crossFieldErrors(raw),
  ]);
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, spec: applyDefaults(parsed.data) };
}

// ---------------------------------------------------------------------------------------------
// Pass 1: schema issues → { path, message }

function fromZodIssues(issues: readonly z.core.$ZodIssue[]): SpecError[] {
  return issues.flatMap((issue): SpecError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      return [{ path: formatPath(issue.path), message: `required (${issue.expected})` }];
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

function dedupe(errors: SpecError[]): SpecError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Pass 2: cross-field rules on the raw input

function crossFieldErrors(raw: unknown): SpecError[] {
  const spec = asObj(raw);
  if (!spec) return [];
  const errors = new Errors();
  const region = findRegion(asStr(spec.location) ?? '');
  checkNodePools(spec, region, errors);
  if (spec.type === 'iaas') checkIaas(spec, region, errors);
  if (spec.type === 'aks') checkAks(spec, errors);
  return errors.list;
}

function checkZones(value: unknown, path: string, region: Region | undefined, errors: Errors): void {
  const zones = asArr(value);
  if (!zones || !region) return;
  if (region.zones.length === 0 && zones.length > 0) {
    errors.add(path, `${region.name} has no availability zones; remove "zones" (or set it to [])`);
    return;
  }
  zones.forEach((zone, index) => {
    if ((typeof zone === 'string' || typeof zone === 'number') && !region.zones.includes(String(zone))) {
      errors.add(
        `${path}[${index}]`,
        `zone "${zone}" does not exist in ${region.name} (its zones are ${region.zones.join(', ')})`,
      );
    }
  });
}

function checkNodePools(spec: Obj, region: Region | undefined, errors: Errors): void {
  const pools = asArr(spec.nodePools) ?? [];
  const seen = new Map<string, number>();
  pools.forEach((value, index) => {
    const pool = asObj(value);
    if (!pool) return;
    const path = `nodePools[${index}]`;
    const name = asStr(pool.name);
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined)
        errors.add(`${path}.name`, `duplicate node pool name "${name}" (also nodePools[${first}])`);
      else seen.set(name, index);
      if (spec.type === 'iaas' && name === 'cp') {
        errors.add(`${path}.name`, '"cp" is reserved: control-plane nodes are named <cluster>-cp-<index>');
      }
    }
    const count = asInt(pool.count);
    const min = asInt(pool.minCount);
    const max = asInt(pool.maxCount);
    if (count !== undefined && min !== undefined && min > count) {
      errors.add(`${path}.minCount`, `minCount (${min}) must not exceed count (${count})`);
    }
    if (count !== undefined && max !== undefined && max < count) {
      errors.add(`${path}.maxCount`, `maxCount (${max}) must be at least count (${count})`);
    }
    if (min !== undefined && max !== undefined && min > max) {
      errors.add(`${path}.minCount`, `minCount (${min}) must not exceed maxCount (${max})`);
    }
    checkZones(pool.zones, `${path}.zones`, region, errors);
    if (spec.type === 'iaas') checkPremiumDisk(pool, path, undefined, errors);
  });
}

function checkPremiumDisk(owner: Obj, path: string, defaultVmSize: string | undefined, errors: Errors): void {
  const diskType = asStr(asObj(owner.osDisk)?.type);
  const vmSize = orDefault(owner.vmSize, defaultVmSize, asStr);
  if (diskType === 'Premium_LRS' && vmSize !== undefined && !vmSizeSupportsPremiumStorage(vmSize)) {
    errors.add(
      `${path}.osDisk.type`,
      `${vmSize} does not support premium storage; use an "s" size or StandardSSD_LRS`,
    );
  }
}

const SUBNETS = [
  {
    key: 'controlPlaneSubnet',
    defaultName: DEFAULT_CONTROL_PLANE_SUBNET_NAME,
    label: 'control-plane subnet',
  },
  { key: 'workerSubnet', defaultName: DEFAULT_WORKER_SUBNET_NAME, label: 'worker subnet' },
] as const;

function checkIaas(spec: Obj, region: Region | undefined, errors: Errors): void {
  const cluster = asStr(spec.name);
  const clusterResourceGroup = asStr(spec.resourceGroup);
  const network = asObj(spec.network) ?? {};
  const vnet = asObj(network.vnet) ?? {};
  const existing = asObj(vnet.existing);

  if (existing && vnet.name !== undefined) {
    errors.add(
      'network.vnet.name',
      'not allowed with network.vnet.existing (the brought VNet is named there)',
    );
  }
  const vnetCidr = existing ? asCidr(vnet.cidr) : orDefault(vnet.cidr, asCidr(DEFAULT_VNET_CIDR), asCidr);
  if (vnetCidr && (vnetCidr.prefix < 8 || vnetCidr.prefix > 28)) {
    errors.add(
      'network.vnet.cidr',
      `a VNet range must be /8 to /28 to hold two subnets (got /${vnetCidr.prefix})`,
    );
  }
  const derived = !existing && vnetCidr && vnetCidr.prefix <= 28 ? defaultSubnetCidrs(vnetCidr) : undefined;

  const resolved = SUBNETS.map(({ key, defaultName, label }) => {
    const path = `network.${key}`;
    const subnet = asObj(network[key]) ?? {};
    const nsg = asObj(subnet.nsg);
    if (existing) {
      const why = 'required when the VNet is brought (network.vnet.existing)';
      if (subnet.name === undefined) errors.add(`${path}.name`, `${why}: the name of the existing ${label}`);
      if (subnet.cidr === undefined) errors.add(`${path}.cidr`, `${why}: the ${label}'s address range`);
      if (nsg?.name === undefined) errors.add(`${path}.nsg.name`, `${why}: the NSG bound to the ${label}`);
    } else if (nsg?.resourceGroup !== undefined && nsg.resourceGroup !== clusterResourceGroup) {
      errors.add(
        `${path}.nsg.resourceGroup`,
        "only for a brought VNet: the provisioner creates this NSG in the cluster's resource group",
      );
    }
    const cidr =
      subnet.cidr === undefined
        ? derived
          ? asCidr(derived[key === 'controlPlaneSubnet' ? 'controlPlane' : 'worker'])
          : undefined
        : asCidr(subnet.cidr);
    if (cidr && cidr.prefix > 29) {
      errors.add(
        `${path}.cidr`,
        `a subnet must be /29 or larger: Azure reserves 5 addresses in each (got /${cidr.prefix})`,
      );
    }
    if (cidr && vnetCidr && !cidrContains(vnetCidr, cidr)) {
      errors.add(`${path}.cidr`, `${cidr.text} is not inside the VNet range ${vnetCidr.text}`);
    }
    const name = orDefault(subnet.name, defaultName, asStr);
    const nsgName = orDefault(
      nsg?.name,
      name !== undefined && cluster !== undefined ? defaultNsgName(cluster, name) : undefined,
      asStr,
    );
    const nsgResourceGroup = orDefault(
      nsg?.resourceGroup,
      asStr(existing?.resourceGroup) ?? clusterResourceGroup,
      asStr,
    );
    return {
      path,
      cidr,
      name,
      nsg:
        nsgName !== undefined && nsgResourceGroup !== undefined
          ? `${nsgResourceGroup}/${nsgName}`
          : undefined,
    };
  });
  const [controlPlaneSubnet, workerSubnet] = resolved as [
    (typeof resolved)[number],
    (typeof resolved)[number],
  ];

  if (
    controlPlaneSubnet.cidr &&
    workerSubnet.cidr &&
    cidrsOverlap(controlPlaneSubnet.cidr, workerSubnet.cidr)
  ) {
    errors.add(
      `${workerSubnet.path}.cidr`,
      `${workerSubnet.cidr.text} overlaps the control-plane subnet ${controlPlaneSubnet.cidr.text}; the subnets must be disjoint`,
    );
  }
  if (controlPlaneSubnet.name !== undefined && controlPlaneSubnet.name === workerSubnet.name) {
    errors.add(
      `${workerSubnet.path}.name`,
      `the worker subnet must differ from the control-plane subnet ("${workerSubnet.name}")`,
    );
  }
  if (
    controlPlaneSubnet.nsg !== undefined &&
    controlPlaneSubnet.nsg.toLowerCase() === workerSubnet.nsg?.toLowerCase()
  ) {
    errors.add(
      `${workerSubnet.path}.nsg.name`,
      'each subnet needs its own NSG; the two subnets name the same one',
    );
  }

  // Capacity: every node needs one address; pools may grow to maxCount.
  const controlPlane = asObj(spec.controlPlane) ?? {};
  const controlPlaneCount = orDefault(controlPlane.count, 3, asInt);
  if (controlPlaneSubnet.cidr && controlPlaneCount !== undefined) {
    const usable = usableSubnetAddresses(controlPlaneSubnet.cidr);
    if (controlPlaneCount > usable) {
      errors.add(
        `${controlPlaneSubnet.path}.cidr`,
        `${controlPlaneSubnet.cidr.text} has ${usable} usable addresses, fewer than the ${controlPlaneCount} control-plane nodes`,
      );
    }
  }
  if (workerSubnet.cidr) {
    const peak = (asArr(spec.nodePools) ?? []).reduce<number>((sum, value) => {
      const pool = asObj(value) ?? {};
      return sum + Math.max(asInt(pool.count) ?? 0, asInt(pool.maxCount) ?? 0);
    }, 0);
    const usable = usableSubnetAddresses(workerSubnet.cidr);
    if (peak > usable) {
      errors.add(
        `${workerSubnet.path}.cidr`,
        `${workerSubnet.cidr.text} has ${usable} usable addresses but the node pools may grow to ${peak} nodes`,
      );
    }
  }

  checkZones(controlPlane.zones, 'controlPlane.zones', region, errors);
  checkPremiumDisk(controlPlane, 'controlPlane', 'Standard_D2s_v5', errors);

  const peakWorkers = (asArr(spec.nodePools) ?? []).reduce<number>((sum, value) => {
    const pool = asObj(value) ?? {};
    return sum + Math.max(asInt(pool.count) ?? 0, asInt(pool.maxCount) ?? 0);
  }, 0);
  for (const error of checkIaasKubernetes(spec, {
    ...(vnetCidr ? { vnet: vnetCidr } : {}),
    ...(controlPlaneSubnet.cidr ? { controlPlaneSubnet: controlPlaneSubnet.cidr } : {}),
    ...(workerSubnet.cidr ? { workerSubnet: workerSubnet.cidr } : {}),
    peakNodes: (controlPlaneCount ?? 0) + peakWorkers,
  })) {
    errors.add(error.path, error.message);
  }
}
