import { createHash, randomUUID } from 'node:crypto';

import { type ArmError, badRequest, conflict, notFound, propertyChangeNotAllowed } from './armError';
import {
  type ArmType,
  ArmTypes,
  keyOf,
  namespaceOf,
  parentTypeOf,
  type ResourceAddress,
  resourceGroupKey,
  resourceIdOf,
} from './armTypes';
import type { EventGridEvent } from './eventPublisher';
import { contains, formatIpv4, type Ipv4Range, isReserved, overlaps, parseCidr, parseIpv4 } from './ipv4';
import { asArray, asNumber, asObject, asString, clone, type Json, type JsonObject, refId } from './json';
import type { LatencyModel } from './latencyModel';
import { knownRegions, normalizeLocation, zonesOf } from './regions';
import { vcpusOfVmSize } from './vmSizes';

/** A stored resource: the body exactly as last PUT (minus read-only fields) plus what ARM derives. */
export interface ResourceRecord {
  seq: number;
  id: string;
  key: string;
  type: ArmType;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  parentKey?: string;
  body: JsonObject;
  provisioningState: string;
  etag: string;
  /** Read-only values ARM assigns once and keeps (guids, allocated addresses). */
  derived: JsonObject;
  pendingOp?: string;
}

export interface ResourceGroupRecord {
  seq: number;
  id: string;
  key: string;
  subscriptionId: string;
  name: string;
  location: string;
  body: JsonObject;
  provisioningState: string;
  pendingOp?: string;
}

/** A long-running operation, polled through its Azure-AsyncOperation or Location URL. */
export interface LroRecord {
  id: string;
  kind: 'write' | 'delete';
  /** How the initial response told the client to poll. */
  pollVia: 'azure-async-operation' | 'location';
  targetKey: string;
  targetId: string;
  targetType: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  startedAt: number;
  completesAt: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  endedAt?: number;
  error?: { code: string; message: string };
  failure?: { code: string; message: string };
  correlationId: string;
}

export interface StoreSnapshot {
  version: 1;
  seq: number;
  publicIpCounter: number;
  resourceGroups: ResourceGroupRecord[];
  resources: ResourceRecord[];
  operations: LroRecord[];
}

export interface ArmStoreOptions {
  latency: LatencyModel;
  vcpuQuotaPerRegion: number;
  /** Runs `fn` after `ms`; the emulator owns the timers so it can cancel them on close/reset. */
  schedule: (ms: number, fn: () => void) => void;
  onEvent: (event: EventGridEvent) => void;
  onChange: () => void;
}

export interface WriteResult {
  status: number;
  body: JsonObject;
  operation?: LroRecord;
}

const TENANT_ID = '00000000-0000-0000-0000-000000000000';

/** Properties ARM computes; a client that sends them back (GET → modify → PUT) is ignored. */
const READ_ONLY_PROPERTIES: Record<string, readonly string[]> = {
  [ArmTypes.vnet]: [],
  [ArmTypes.subnet]: ['ipConfigurations', 'ipConfigurationProfiles', 'privateEndpoints', 'purpose'],
  [ArmTypes.nsg]: ['subnets', 'networkInterfaces', 'defaultSecurityRules', 'flowLogs'],
  [ArmTypes.publicIp]: ['ipConfiguration', 'ipAddress', 'natGateway'],
  [ArmTypes.natGateway]: ['subnets'],
  [ArmTypes.loadBalancer]: [],
  [ArmTypes.nic]: ['virtualMachine', 'macAddress', 'hostedWorkloads', 'tapConfigurations'],
  [ArmTypes.vm]: ['vmId', 'timeCreated', 'instanceView'],
  [ArmTypes.managedCluster]: [
    'fqdn',
    'azurePortalFQDN',
    'privateFQDN',
    'currentKubernetesVersion',
    'maxAgentPools',
  ],
  [ArmTypes.agentPool]: ['currentOrchestratorVersion', 'nodeImageVersion'],
};

const LB_COLLECTIONS = [
  'frontendIPConfigurations',
  'backendAddressPools',
  'probes',
  'loadBalancingRules',
  'outboundRules',
  'inboundNatRules',
] as const;

/** The code ARM gives a Basic SKU resource asked to be zonal (Basic SKUs have no zones). */
export const BASIC_SKU_ZONES_CODE = 'ZonesNotSupportedForBasicSku';

function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

function isPollViaLocation(type: string, kind: 'write' | 'delete'): boolean {
  return kind === 'delete' || namespaceOf(type).toLowerCase() === 'microsoft.compute';
}

function parseCidrOrThrow(cidr: string, what: string): Ipv4Range {
  const parsed = parseCidr(cidr);
  if (parsed.ok) return parsed.range;
  if (parsed.reason === 'unaligned') {
    throw badRequest(
      'InvalidCIDRNotation',
      `The address prefix ${cidr} in ${what} has an invalid CIDR notation. For the given prefix length, the address prefix should be ${parsed.suggestion}.`,
    );
  }
  throw badRequest(
    'InvalidAddressPrefixFormat',
    `Address prefix '${cidr}' of ${what} is not a valid IPv4 CIDR.`,
  );
}

function subnetPrefixes(props: JsonObject | undefined): string[] {
  const single = asString(props?.addressPrefix);
  const many = asArray(props?.addressPrefixes)
    .map(asString)
    .filter((p): p is string => p !== undefined);
  return single !== undefined ? [single, ...many] : many;
}

function stripEntry(entry: JsonObject, extraProps: readonly string[] = []): void {
  delete entry.id;
  delete entry.etag;
  delete entry.type;
  const props = asObject(entry.properties);
  if (props) {
    delete props.provisioningState;
    for (const key of extraProps) delete props[key];
  }
}

/** Removes read-only fields from a request body (top level and named child entries). */
function stripReadOnly(type: ArmType, body: JsonObject): JsonObject {
  delete body.id;
  delete body.etag;
  delete body.eTag;
  delete body.type;
  delete body.name;
  const props = asObject(body.properties);
  if (!props) return body;
  delete props.provisioningState;
  delete props.resourceGuid;
  for (const key of READ_ONLY_PROPERTIES[type] ?? []) delete props[key];
  const entries = (key: string): JsonObject[] =>
    asArray(props[key])
      .map(asObject)
      .filter((e): e is JsonObject => e !== undefined);
  switch (type) {
    case ArmTypes.vnet:
      for (const s of entries('subnets')) stripEntry(s, READ_ONLY_PROPERTIES[ArmTypes.subnet]);
      break;
    case ArmTypes.nsg:
      for (const r of entries('securityRules')) stripEntry(r);
      break;
    case ArmTypes.loadBalancer:
      for (const c of LB_COLLECTIONS) {
        for (const e of entries(c)) {
          stripEntry(e, [
            'backendIPConfigurations',
            'loadBalancingRules',
            'outboundRules',
            'inboundNatRules',
            'outboundRule',
          ]);
        }
      }
      break;
    case ArmTypes.nic:
      for (const c of entries('ipConfigurations')) {
        stripEntry(c);
        const cp = asObject(c.properties);
        if (cp && asString(cp.privateIPAllocationMethod)?.toLowerCase() !== 'static') {
          delete cp.privateIPAddress;
        }
      }
      break;
    case ArmTypes.vm: {
      // ARM never returns secrets (and the state file must not hold them).
      const os = asObject(props.osProfile);
      if (os) {
        delete os.adminPassword;
        delete os.customData;
      }
      break;
    }
    case ArmTypes.managedCluster:
      for (const p of entries('agentPoolProfiles')) {
        delete p.provisioningState;
        delete p.currentOrchestratorVersion;
        delete p.nodeImageVersion;
      }
      break;
    default:
      break;
  }
  return body;
}

const DEFAULT_SECURITY_RULES: [string, string, number, string, string, string][] = [
  ['AllowVnetInBound', 'Inbound', 65000, 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowAzureLoadBalancerInBound', 'Inbound', 65001, 'Allow', 'AzureLoadBalancer', '*'],
  ['DenyAllInBound', 'Inbound', 65500, 'Deny', '*', '*'],
  ['AllowVnetOutBound', 'Outbound', 65000, 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowInternetOutBound', 'Outbound', 65001, 'Allow', '*', 'Internet'],
  ['DenyAllOutBound', 'Outbound', 65500, 'Deny', '*', '*'],
];

/**
 * The emulator's state and ARM's rules over it. Every method runs synchronously on Node's single
 * thread, so concurrent requests can never interleave inside a validation and its write.
 */
export class ArmStore {
  private seq = 0;
  private publicIpCounter = 0;
  private readonly groups = new Map<string, ResourceGroupRecord>();
  private readonly records = new Map<string, ResourceRecord>();
  private readonly operations = new Map<string, LroRecord>();
  /** Ids of operations still running, so settling never scans finished ones. */
  private readonly pending = new Set<string>();

  constructor(private readonly options: ArmStoreOptions) {}

  setVcpuQuota(vcpus: number): void {
    this.options.vcpuQuotaPerRegion = vcpus;
  }

  get vcpuQuota(): number {
    return this.options.vcpuQuotaPerRegion;
  }

  // ---------------------------------------------------------------- state

  snapshot(): StoreSnapshot {
    return {
      version: 1,
      seq: this.seq,
      publicIpCounter: this.publicIpCounter,
      resourceGroups: [...this.groups.values()],
      resources: [...this.records.values()],
      operations: [...this.operations.values()],
    };
  }

  /** Loads a snapshot; operations that were running when it was saved are finished at once. */
  restore(snapshot: StoreSnapshot): void {
    this.clear();
    this.seq = snapshot.seq;
    this.publicIpCounter = snapshot.publicIpCounter;
    for (const g of snapshot.resourceGroups) this.groups.set(g.key, g);
    for (const r of snapshot.resources) this.records.set(r.key, r);
    for (const op of snapshot.operations) {
      this.operations.set(op.id, op);
      if (op.status === 'InProgress') this.pending.add(op.id);
    }
    for (const op of this.operations.values()) {
      if (op.status === 'InProgress') this.complete(op, false);
    }
  }

  clear(): void {
    this.groups.clear();
    this.records.clear();
    this.operations.clear();
    this.pending.clear();
  }

  /** Keeps the newest finished operations only (pollers ask soon after the end, not days later). */
  private pruneOperations(): void {
    const limit = 5_000;
    if (this.operations.size <= limit) return;
    for (const [id, op] of this.operations) {
      if (this.operations.size <= limit * 0.8) break;
      if (op.status !== 'InProgress') this.operations.delete(id);
    }
  }

  /** Finishes every operation whose time has come (timers may fire a little late). */
  settle(): void {
    const now = Date.now();
    const due = [...this.pending]
      .map((id) => this.operations.get(id))
      .filter((op): op is LroRecord => op !== undefined && op.completesAt <= now)
      .sort((a, b) => a.completesAt - b.completesAt);
    for (const op of due) this.complete(op, true);
  }

  allResources(): JsonObject[] {
    this.settle();
    return [
      ...[...this.groups.values()].map((g) => this.renderGroup(g)),
      ...[...this.records.values()].sort((a, b) => a.seq - b.seq).map((r) => this.render(r)),
    ];
  }

  // ---------------------------------------------------------------- resource groups

  seedResourceGroup(subscriptionId: string, name: string, location: string): void {
    const key = resourceGroupKey(subscriptionId, name);
    if (this.groups.has(key)) return;
    this.checkLocation(location, ArmTypes.resourceGroup);
    this.groups.set(key, {
      seq: ++this.seq,
      id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
      key,
      subscriptionId,
      name,
      location: normalizeLocation(location),
      body: { location },
      provisioningState: 'Succeeded',
    });
    this.options.onChange();
  }

  getGroup(subscriptionId: string, name: string): JsonObject {
    this.settle();
    return this.renderGroup(this.requireGroup(subscriptionId, name));
  }

  hasGroup(subscriptionId: string, name: string): boolean {
    this.settle();
    return this.groups.has(resourceGroupKey(subscriptionId, name));
  }

  listGroups(subscriptionId: string): JsonObject[] {
    this.settle();
    return [...this.groups.values()]
      .filter((g) => g.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
      .map((g) => this.renderGroup(g));
  }

  putGroup(subscriptionId: string, name: string, input: JsonObject, patch: boolean): WriteResult {
    this.settle();
    const key = resourceGroupKey(subscriptionId, name);
    const existing = this.groups.get(key);
    if (existing?.pendingOp) {
      throw conflict(
        'ResourceGroupBeingDeleted',
        `The resource group '${existing.name}' is in deprovisioning state and cannot perform this operation.`,
      );
    }
    if (patch && !existing) {
      throw notFound('ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
    }
    const body =
      patch && existing ? { ...existing.body, ...input } : stripReadOnly(ArmTypes.vnet, clone(input));
    const location = asString(body.location);
    if (location === undefined) {
      throw badRequest('LocationRequired', `The location property is required for resource group '${name}'.`);
    }
    this.checkLocation(location, ArmTypes.resourceGroup);
    if (existing && existing.location !== normalizeLocation(location)) {
      throw conflict(
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`,
      );
    }
    const record: ResourceGroupRecord = existing ?? {
      seq: ++this.seq,
      id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
      key,
      subscriptionId,
      name,
      location: normalizeLocation(location),
      body,
      provisioningState: 'Succeeded',
    };
    record.body = body;
    this.groups.set(key, record);
    this.emit('write', record.id, ArmTypes.resourceGroup, subscriptionId, record.name, randomUUID());
    this.options.onChange();
    return { status: existing ? 200 : 201, body: this.renderGroup(record) };
  }

  deleteGroup(
    subscriptionId: string,
    name: string,
    failure?: { code: string; message: string },
  ): WriteResult {
    this.settle();
    const group = this.requireGroup(subscriptionId, name);
    if (group.pendingOp) {
      const op = this.operations.get(group.pendingOp);
      if (op) return { status: 202, body: {}, operation: op };
    }
    const op = this.startOperation(
      'delete',
      group.key,
      group.id,
      ArmTypes.resourceGroup,
      group,
      group.location,
      failure,
    );
    group.pendingOp = op.id;
    group.provisioningState = 'Deleting';
    for (const r of this.records.values()) {
      if (this.inGroup(r, group)) {
        r.pendingOp = op.id;
        r.provisioningState = 'Deleting';
      }
    }
    this.scheduleCompletion(op);
    return { status: 202, body: {}, operation: op };
  }

  // ---------------------------------------------------------------- resources: reads

  get(address: ResourceAddress): JsonObject {
    this.settle();
    this.requireGroup(address.subscriptionId, address.resourceGroup);
    const record = this.records.get(keyOf(resourceIdOf(address)));
    if (!record) throw this.resourceNotFound(address);
    return this.render(record);
  }

  /** Resources of `type` in a resource group, a subscription, or under a parent resource. */
  list(subscriptionId: string, type: ArmType, resourceGroup?: string, parentNames?: string[]): JsonObject[] {
    this.settle();
    let parentKey: string | undefined;
    if (resourceGroup !== undefined) {
      this.requireGroup(subscriptionId, resourceGroup);
      const parentType = parentTypeOf(type);
      if (parentType && parentNames) {
        const parentAddress = { subscriptionId, resourceGroup, type: parentType, names: parentNames };
        parentKey = keyOf(resourceIdOf(parentAddress));
        if (!this.records.has(parentKey)) throw this.resourceNotFound(parentAddress);
      }
    }
    const rgKey = resourceGroup !== undefined ? resourceGroupKey(subscriptionId, resourceGroup) : undefined;
    return [...this.records.values()]
      .filter(
        (r) =>
          r.type === type &&
          r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
          (rgKey === undefined || resourceGroupKey(r.subscriptionId, r.resourceGroup) === rgKey) &&
          (parentKey === undefined || r.parentKey === parentKey),
      )
      .sort((a, b) => a.seq - b.seq)
      .map((r) => this.render(r));
  }

  /** Generic view used by `resources.listByResourceGroup`. */
  listGeneric(subscriptionId: string, resourceGroup: string): JsonObject[] {
    this.settle();
    const group = this.requireGroup(subscriptionId, resourceGroup);
    return [...this.records.values()]
      .filter((r) => this.inGroup(r, group) && !r.parentKey)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => {
        const out: JsonObject = { id: r.id, name: r.name, type: r.type };
        const location = asString(r.body.location);
        if (location !== undefined) out.location = location;
        if (r.body.tags !== undefined) out.tags = r.body.tags;
        return out;
      });
  }

  getOperation(id: string): LroRecord | undefined {
    this.settle();
    return this.operations.get(id);
  }

  getRecord(key: string): ResourceRecord | undefined {
    return this.records.get(key);
  }

  // ---------------------------------------------------------------- resources: writes

  put(
    address: ResourceAddress,
    input: unknown,
    options: { patch?: boolean; instant?: boolean; failure?: { code: string; message: string } } = {},
  ): WriteResult {
    this.settle();
    const group = this.requireGroup(address.subscriptionId, address.resourceGroup);
    const id = resourceIdOf({ ...address, resourceGroup: group.name });
    const key = keyOf(id);
    const parentType = parentTypeOf(address.type);
    let parent: ResourceRecord | undefined;
    if (parentType) {
      const parentAddress = { ...address, type: parentType, names: address.names.slice(0, -1) };
      parent = this.records.get(keyOf(resourceIdOf(parentAddress)));
      if (!parent) throw this.resourceNotFound(parentAddress);
    }
    const existing = this.records.get(key);
    const requestBody = asObject(input);
    if (!requestBody) {
      throw badRequest('InvalidRequestContent', `The request content for '${id}' must be a JSON object.`);
    }
    if (options.patch && !existing) throw this.resourceNotFound(address);
    if (!existing) checkResourceName(address.type, address.names[address.names.length - 1] ?? '');
    this.checkNotBusy(existing, parent, address.type, id);

    let body: JsonObject;
    if (options.patch && existing) {
      body = mergePatch(clone(existing.body), stripReadOnly(address.type, clone(requestBody)));
    } else {
      body = stripReadOnly(address.type, clone(requestBody));
    }

    const location = this.locationFor(address.type, body, parent, id);
    if (existing && !parent) {
      const before = asString(existing.body.location);
      if (before !== undefined && normalizeLocation(before) !== location) {
        throw conflict(
          'InvalidResourceLocation',
          `The resource '${existing.name}' already exists in location '${normalizeLocation(before)}' in resource group '${group.name}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
        );
      }
    }
    const name = existing?.name ?? address.names[address.names.length - 1] ?? '';
    const record: ResourceRecord = existing
      ? { ...existing, body, derived: clone(existing.derived) }
      : {
          seq: 0,
          id,
          key,
          type: address.type,
          subscriptionId: address.subscriptionId,
          resourceGroup: group.name,
          name,
          ...(parent ? { parentKey: parent.key } : {}),
          body,
          provisioningState: 'Creating',
          etag: newEtag(),
          derived: {},
        };

    // Type rules: validate against the current state, then describe the change to apply.
    const apply = this.prepare(record, existing, parent, location);

    const op = this.startOperation(
      'write',
      key,
      id,
      address.type,
      group,
      location,
      options.failure,
      options.instant,
    );
    if (!existing) record.seq = ++this.seq;
    record.provisioningState = existing ? 'Updating' : 'Creating';
    record.etag = newEtag();
    record.pendingOp = op.id;
    this.records.set(key, record);
    apply(op);
    const status = existing ? 200 : 201;
    this.scheduleCompletion(op);
    return { status, body: this.render(record), operation: op };
  }

  delete(
    address: ResourceAddress,
    options: { failure?: { code: string; message: string } } = {},
  ): WriteResult {
    this.settle();
    const group = this.requireGroup(address.subscriptionId, address.resourceGroup);
    const key = keyOf(resourceIdOf(address));
    const record = this.records.get(key);
    if (!record) return { status: 204, body: {} };
    if (record.provisioningState === 'Deleting' && record.pendingOp) {
      const op = this.operations.get(record.pendingOp);
      if (op) return { status: 202, body: {}, operation: op };
    }
    const parent = record.parentKey ? this.records.get(record.parentKey) : undefined;
    this.checkNotBusy(record, parent, record.type, record.id);
    this.checkDeletable(record);
    const location = this.recordLocation(record);
    const op = this.startOperation('delete', key, record.id, record.type, group, location, options.failure);
    for (const r of [record, ...this.childrenOf(record)]) {
      r.pendingOp = op.id;
      r.provisioningState = 'Deleting';
    }
    this.scheduleCompletion(op);
    return { status: 202, body: {}, operation: op };
  }

  // ---------------------------------------------------------------- operations

  private startOperation(
    kind: 'write' | 'delete',
    targetKey: string,
    targetId: string,
    targetType: string,
    group: ResourceGroupRecord,
    location: string,
    failure: { code: string; message: string } | undefined,
    instant = false,
  ): LroRecord {
    const now = Date.now();
    const op: LroRecord = {
      id: randomUUID(),
      kind,
      pollVia: isPollViaLocation(targetType, kind) ? 'location' : 'azure-async-operation',
      targetKey,
      targetId,
      targetType,
      subscriptionId: group.subscriptionId,
      resourceGroup: group.name,
      location,
      startedAt: now,
      completesAt: instant ? now : now + this.options.latency.durationMs(targetType, kind),
      status: 'InProgress',
      correlationId: randomUUID(),
      ...(failure ? { failure } : {}),
    };
    this.operations.set(op.id, op);
    this.pending.add(op.id);
    this.pruneOperations();
    return op;
  }

  private scheduleCompletion(op: LroRecord): void {
    const delay = op.completesAt - Date.now();
    if (delay <= 0) {
      this.complete(op, true);
    } else {
      this.options.schedule(delay, () => this.settle());
    }
    this.options.onChange();
  }

  private complete(op: LroRecord, emitEvents: boolean): void {
    if (op.status !== 'InProgress') return;
    this.pending.delete(op.id);
    op.endedAt = Date.now();
    const touched = [...this.records.values()].filter((r) => r.pendingOp === op.id);
    const group = [...this.groups.values()].find((g) => g.pendingOp === op.id);
    if (op.failure) {
      op.status = 'Failed';
      op.error = op.failure;
      for (const r of touched) {
        r.pendingOp = undefined;
        r.provisioningState = 'Failed';
      }
      if (group) {
        group.pendingOp = undefined;
        group.provisioningState = 'Succeeded';
      }
    } else {
      op.status = 'Succeeded';
      if (op.kind === 'delete') {
        for (const r of touched) this.records.delete(r.key);
        if (group) this.groups.delete(group.key);
      } else {
        for (const r of touched) {
          r.pendingOp = undefined;
          r.provisioningState = 'Succeeded';
        }
      }
      if (emitEvents) {
        this.emit(op.kind, op.targetId, op.targetType, op.subscriptionId, op.resourceGroup, op.correlationId);
      }
    }
    this.options.onChange();
  }

  private emit(
    kind: 'write' | 'delete',
    resourceUri: string,
    type: string,
    subscriptionId: string,
    resourceGroup: string,
    correlationId: string,
  ): void {
    this.options.onEvent({
      id: randomUUID(),
      topic: `/subscriptions/${subscriptionId}`,
      subject: resourceUri,
      eventType:
        kind === 'write'
          ? 'Microsoft.Resources.ResourceWriteSuccess'
          : 'Microsoft.Resources.ResourceDeleteSuccess',
      eventTime: new Date().toISOString(),
      data: {
        correlationId,
        resourceProvider: namespaceOf(type),
        resourceUri,
        operationName: `${type}/${kind}`,
        status: 'Succeeded',
        subscriptionId,
        tenantId: TENANT_ID,
        resourceGroup,
        httpRequest: { clientRequestId: correlationId, method: kind === 'write' ? 'PUT' : 'DELETE' },
      },
      dataVersion: '2',
      metadataVersion: '1',
    });
  }

  // ---------------------------------------------------------------- shared rules

  private requireGroup(subscriptionId: string, name: string): ResourceGroupRecord {
    const group = this.groups.get(resourceGroupKey(subscriptionId, name));
    if (!group) throw notFound('ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
    return group;
  }

  private resourceNotFound(address: ResourceAddress): ArmError {
    return notFound(
      'ResourceNotFound',
      `The Resource '${address.type}/${address.names.join('/')}' under resource group '${address.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }

  private inGroup(record: ResourceRecord, group: ResourceGroupRecord): boolean {
    return resourceGroupKey(record.subscriptionId, record.resourceGroup) === group.key;
  }

  private childrenOf(record: ResourceRecord): ResourceRecord[] {
    return [...this.records.values()].filter((r) => r.parentKey === record.key).sort((a, b) => a.seq - b.seq);
  }

  private checkLocation(location: string, type: string): void {
    if (zonesOf(location) === undefined) {
      const code =
        type === ArmTypes.resourceGroup
          ? 'LocationNotAvailableForResourceGroup'
          : 'LocationNotAvailableForResourceType';
      throw badRequest(
        code,
        `The provided location '${location}' is not available for resource type '${type}'. List of available regions for the resource type is '${knownRegions().join(',')}'.`,
      );
    }
  }

  private locationFor(
    type: ArmType,
    body: JsonObject,
    parent: ResourceRecord | undefined,
    id: string,
  ): string {
    if (parent) return this.recordLocation(parent);
    const location = asString(body.location);
    if (location === undefined) {
      throw badRequest('LocationRequired', `The location property is required for resource '${id}'.`);
    }
    this.checkLocation(location, type);
    return normalizeLocation(location);
  }

  private recordLocation(record: ResourceRecord): string {
    const location = asString(record.body.location);
    if (location !== undefined) return normalizeLocation(location);
    const parent = record.parentKey ? this.records.get(record.parentKey) : undefined;
    return parent ? this.recordLocation(parent) : 'global';
  }

  /** 409 AnotherOperationInProgress while the resource, its parent or a sibling is mid-operation. */
  private checkNotBusy(
    existing: ResourceRecord | undefined,
    parent: ResourceRecord | undefined,
    type: string,
    id: string,
  ): void {
    const busy = (r: ResourceRecord | undefined): boolean => r?.pendingOp !== undefined;
    const existingKey = existing?.key;
    let blocker: ResourceRecord | undefined;
    if (busy(existing)) blocker = existing;
    else if (busy(parent)) blocker = parent;
    else if (parent) blocker = this.childrenOf(parent).find((c) => busy(c) && c.key !== existingKey);
    else if (existing) blocker = this.childrenOf(existing).find(busy);
    if (blocker) {
      const op = blocker.pendingOp ? this.operations.get(blocker.pendingOp) : undefined;
      throw conflict(
        'AnotherOperationInProgress',
        `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${op ? `operations/${op.id}` : blocker.id}. Request for '${id}' (${type}) was rejected.`,
      );
    }
  }

  private checkZones(zones: Json | undefined, location: string, what: string, sku?: string): string[] {
    const list = asArray(zones).map((z) => (typeof z === 'string' ? z : JSON.stringify(z)));
    if (list.length === 0) return list;
    if (sku !== undefined && sku.toLowerCase() === 'basic') {
      throw badRequest(
        BASIC_SKU_ZONES_CODE,
        `${what} uses the Basic SKU, which does not support availability zones.`,
      );
    }
    const regionZones = zonesOf(location) ?? [];
    for (const zone of list) {
      if (!regionZones.includes(zone)) {
        throw badRequest(
          'AvailabilityZoneNotSupported',
          `The zone(s) '${list.join(',')}' for ${what} are not supported. The supported zones for location '${location}' are '${regionZones.join(',')}'.`,
        );
      }
    }
    return list;
  }

  /** A reference `{ id }` to an existing resource of `type` in the same region. */
  private requireRef(
    refIdValue: string | undefined,
    type: ArmType,
    fromId: string,
    location: string,
  ): ResourceRecord {
    const target = refIdValue !== undefined ? this.records.get(keyOf(refIdValue)) : undefined;
    if (!target || target.type !== type || this.recordLocation(target) !== location) {
      throw badRequest(
        'InvalidResourceReference',
        `Resource ${refIdValue ?? '(missing id)'} referenced by resource ${fromId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
      );
    }
    return target;
  }

  private vcpuUsage(
    subscriptionId: string,
    location: string,
    exclude: (r: ResourceRecord) => boolean,
  ): number {
    let used = 0;
    for (const r of this.records.values()) {
      if (r.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase() || exclude(r)) continue;
      if (this.recordLocation(r) !== location) continue;
      const props = asObject(r.body.properties);
      if (r.type === ArmTypes.vm) {
        used += vcpusOfVmSize(asString(asObject(props?.hardwareProfile)?.vmSize) ?? '') ?? 0;
      } else if (r.type === ArmTypes.agentPool) {
        used += (asNumber(props?.count) ?? 0) * (vcpusOfVmSize(asString(props?.vmSize) ?? '') ?? 0);
      }
    }
    return used;
  }

  private checkQuota(
    subscriptionId: string,
    location: string,
    required: number,
    exclude: (r: ResourceRecord) => boolean,
  ): void {
    const limit = this.options.vcpuQuotaPerRegion;
    const used = this.vcpuUsage(subscriptionId, location, exclude);
    if (used + required > limit) {
      throw conflict(
        'QuotaExceeded',
        `Operation could not be completed as it results in exceeding approved Total Regional Cores quota. Additional details - Deployment Model: Resource Manager, Location: ${location}, Current Limit: ${limit}, Current Usage: ${used}, Additional Required: ${required}, (Minimum) New Limit Required: ${used + required}.`,
      );
    }
  }

  private vcpusOrThrow(vmSize: string | undefined, what: string): number {
    const vcpus = vmSize !== undefined ? vcpusOfVmSize(vmSize) : undefined;
    if (vcpus === undefined) {
      throw badRequest(
        'InvalidParameter',
        `The value '${vmSize ?? ''}' of parameter 'vmSize' of ${what} is not a valid VM size.`,
      );
    }
    return vcpus;
  }

  // ---------------------------------------------------------------- per-type rules

  private prepare(
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    parent: ResourceRecord | undefined,
    location: string,
  ): (op: LroRecord) => void {
    switch (record.type) {
      case ArmTypes.vnet:
        return this.prepareVnet(record, existing, location);
      case ArmTypes.subnet:
        return this.prepareSubnet(record, existing, parent!, location);
      case ArmTypes.nsg:
        return this.prepareNsg(record);
      case ArmTypes.publicIp:
        return this.preparePublicIp(record, location);
      case ArmTypes.natGateway:
        return this.prepareNatGateway(record, location);
      case ArmTypes.loadBalancer:
        return this.prepareLoadBalancer(record, location);
      case ArmTypes.nic:
        return this.prepareNic(record, location);
      case ArmTypes.vm:
        return this.prepareVm(record, existing, location);
      case ArmTypes.managedCluster:
        return this.prepareCluster(record, existing, location);
      case ArmTypes.agentPool:
        return this.prepareAgentPool(record, location);
    }
  }

  private prepareVnet(
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    location: string,
  ): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const prefixes = asArray(asObject(props.addressSpace)?.addressPrefixes)
      .map(asString)
      .filter((p): p is string => p !== undefined);
    if (prefixes.length === 0) {
      throw badRequest(
        'InvalidAddressSpace',
        `Virtual network ${record.id} must have at least one address prefix in properties.addressSpace.addressPrefixes.`,
      );
    }
    const ranges = prefixes.map((p) => parseCidrOrThrow(p, `virtual network ${record.name}`));
    ranges.forEach((a, i) =>
      ranges.slice(i + 1).forEach((b) => {
        if (overlaps(a, b)) {
          throw badRequest(
            'VnetAddressSpacesOverlap',
            `Address prefixes ${a.cidr} and ${b.cidr} of virtual network ${record.name} overlap.`,
          );
        }
      }),
    );
    if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
    const current = existing ? this.childrenOf(existing) : [];

    if (!Array.isArray(props.subnets)) {
      // No subnets in the body: the VNet keeps the ones it has, which must still fit.
      for (const s of current) {
        for (const p of subnetPrefixes(asObject(s.body.properties))) {
          const range = parseCidrOrThrow(p, `subnet ${s.name}`);
          if (!ranges.some((r) => contains(r, range))) {
            throw badRequest(
              'NetcfgSubnetRangeOutsideVnet',
              `Subnet '${s.name}' is not valid because its IP address range is outside the IP address range of virtual network '${record.name}'.`,
            );
          }
        }
      }
      return () => undefined;
    }

    const desired: { name: string; body: JsonObject; ranges: Ipv4Range[] }[] = [];
    for (const entry of asArray(props.subnets)) {
      const subnet = asObject(entry);
      const name = asString(subnet?.name);
      if (!subnet || !name) {
        throw badRequest(
          'InvalidRequestFormat',
          `Every subnet of virtual network ${record.name} needs a name.`,
        );
      }
      if (desired.some((d) => d.name.toLowerCase() === name.toLowerCase())) {
        throw badRequest(
          'InvalidRequestFormat',
          `Subnet name '${name}' appears twice in virtual network ${record.name}.`,
        );
      }
      const subnetId = `${record.id}/subnets/${name}`;
      const subnetRanges = this.validateSubnet(
        name,
        subnetId,
        asObject(subnet.properties),
        record.name,
        ranges,
        desired.map((d) => ({ name: d.name, ranges: d.ranges })),
        location,
      );
      desired.push({ name, body: subnet, ranges: subnetRanges });
    }
    const keep = new Set(desired.map((d) => `${record.key}/subnets/${d.name.toLowerCase()}`));
    const removed = current.filter((s) => !keep.has(s.key));
    for (const s of removed) this.checkDeletable(s);
    for (const d of desired) {
      const prior = current.find((s) => s.name.toLowerCase() === d.name.toLowerCase());
      if (prior) this.checkSubnetUpdate(prior, d.ranges);
    }
    return (op) => {
      for (const s of removed) this.records.delete(s.key);
      for (const d of desired) this.writeChild(record, ArmTypes.subnet, 'subnets', d.name, d.body, op);
    };
  }

  /**
   * Creates or updates a child resource written through its parent's body (a VNet's subnets, a
   * managed cluster's agent pools): it keeps its id, name and derived fields and joins the parent's
   * operation.
   */
  private writeChild(
    parent: ResourceRecord,
    type: ArmType,
    collection: string,
    name: string,
    body: JsonObject,
    op: LroRecord,
  ): void {
    const key = `${parent.key}/${collection.toLowerCase()}/${name.toLowerCase()}`;
    const prior = this.records.get(key);
    this.records.set(key, {
      seq: prior?.seq ?? ++this.seq,
      id: prior?.id ?? `${parent.id}/${collection}/${name}`,
      key,
      type,
      subscriptionId: parent.subscriptionId,
      resourceGroup: parent.resourceGroup,
      name: prior?.name ?? name,
      parentKey: parent.key,
      body,
      provisioningState: prior ? 'Updating' : 'Creating',
      etag: newEtag(),
      derived: prior?.derived ?? {},
      pendingOp: op.id,
    });
  }

  private validateSubnet(
    name: string,
    subnetId: string,
    props: JsonObject | undefined,
    vnetName: string,
    vnetRanges: Ipv4Range[],
    siblings: { name: string; ranges: Ipv4Range[] }[],
    location: string,
  ): Ipv4Range[] {
    const prefixes = subnetPrefixes(props);
    if (prefixes.length === 0) {
      throw badRequest(
        'InvalidRequestFormat',
        `Subnet '${name}' needs properties.addressPrefix (or addressPrefixes).`,
      );
    }
    const ranges = prefixes.map((p) => parseCidrOrThrow(p, `subnet ${name}`));
    for (const range of ranges) {
      if (!vnetRanges.some((v) => contains(v, range))) {
        throw badRequest(
          'NetcfgSubnetRangeOutsideVnet',
          `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnetName}'.`,
        );
      }
      const clash = siblings.find(
        (s) => s.name.toLowerCase() !== name.toLowerCase() && s.ranges.some((r) => overlaps(r, range)),
      );
      if (clash) {
        throw badRequest(
          'NetcfgSubnetRangesOverlap',
          `Subnet '${name}' is not valid because its IP address range overlaps with that of an existing subnet '${clash.name}' in virtual network '${vnetName}'.`,
        );
      }
    }
    const nsg = refId(props?.networkSecurityGroup);
    if (nsg !== undefined) this.requireRef(nsg, ArmTypes.nsg, subnetId, location);
    const nat = refId(props?.natGateway);
    if (nat !== undefined) this.requireRef(nat, ArmTypes.natGateway, subnetId, location);
    return ranges;
  }

  /** Addresses already handed out in a subnet stay inside it when its prefix changes. */
  private checkSubnetUpdate(subnet: ResourceRecord, ranges: Ipv4Range[]): void {
    for (const ip of this.allocatedIps(subnet.key, undefined)) {
      if (!ranges.some((r) => ip >= r.first && ip <= r.last)) {
        throw badRequest(
          'InUseSubnetCannotBeUpdated',
          `Subnet ${subnet.name} is in use and its address prefix cannot be changed to exclude allocated address ${formatIpv4(ip)}.`,
        );
      }
    }
  }

  private prepareSubnet(
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    vnet: ResourceRecord,
    location: string,
  ): (op: LroRecord) => void {
    const vnetProps = asObject(vnet.body.properties);
    const vnetRanges = asArray(asObject(vnetProps?.addressSpace)?.addressPrefixes)
      .map(asString)
      .filter((p): p is string => p !== undefined)
      .map((p) => parseCidrOrThrow(p, `virtual network ${vnet.name}`));
    const siblings = this.childrenOf(vnet)
      .filter((s) => s.key !== record.key)
      .map((s) => ({
        name: s.name,
        ranges: subnetPrefixes(asObject(s.body.properties)).map((p) =>
          parseCidrOrThrow(p, `subnet ${s.name}`),
        ),
      }));
    const ranges = this.validateSubnet(
      record.name,
      record.id,
      asObject(record.body.properties),
      vnet.name,
      vnetRanges,
      siblings,
      location,
    );
    if (existing) this.checkSubnetUpdate(existing, ranges);
    // The subnet PUT body is the subnet alone; keep its name so the VNet view can echo it.
    record.body = { name: record.name, ...record.body };
    return () => undefined;
  }

  private prepareNsg(record: ResourceRecord): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const seen = new Map<string, string>();
    for (const entry of asArray(props.securityRules)) {
      const rule = asObject(entry);
      const name = asString(rule?.name) ?? '';
      const rp = asObject(rule?.properties) ?? {};
      const priority = asNumber(rp.priority);
      if (priority === undefined || priority < 100 || priority > 4096 || !Number.isInteger(priority)) {
        throw badRequest(
          'SecurityRuleInvalidPriority',
          `Security rule ${name} has invalid Priority. Value provided: ${JSON.stringify(rp.priority)} Allowed range 100-4096.`,
        );
      }
      const direction = asString(rp.direction)?.toLowerCase() ?? '';
      const slot = `${direction}/${priority}`;
      const other = seen.get(slot);
      if (other !== undefined) {
        throw badRequest(
          'SecurityRuleConflict',
          `Security rule ${name} conflicts with rule ${other}. Rules cannot have the same Priority and Direction.`,
        );
      }
      seen.set(slot, name);
    }
    if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
    return () => undefined;
  }

  private preparePublicIp(record: ResourceRecord, location: string): (op: LroRecord) => void {
    const sku = asString(asObject(record.body.sku)?.name) ?? 'Standard';
    this.checkZones(record.body.zones, location, `public IP address ${record.name}`, sku);
    if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
    if (!record.derived.ipAddress) {
      this.publicIpCounter += 1;
      const n = this.publicIpCounter;
      record.derived.ipAddress = `20.${100 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
    }
    return () => undefined;
  }

  private skuOf(record: ResourceRecord): string {
    return (asString(asObject(record.body.sku)?.name) ?? 'Standard').toLowerCase();
  }

  private prepareNatGateway(record: ResourceRecord, location: string): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const zones = this.checkZones(record.body.zones, location, `NAT gateway ${record.name}`);
    if (zones.length > 1) {
      throw badRequest(
        'NatGatewayCannotHaveMultipleZones',
        `NAT gateway ${record.name} can be in at most one zone.`,
      );
    }
    for (const entry of asArray(props.publicIpAddresses)) {
      const pip = this.requireRef(refId(entry), ArmTypes.publicIp, record.id, location);
      if (this.skuOf(pip) !== 'standard') {
        throw badRequest(
          'NatGatewayCannotUseBasicPublicIp',
          `NAT gateway ${record.id} cannot use Basic SKU public IP address ${pip.id}; Standard SKU is required.`,
        );
      }
      this.checkPublicIpFree(pip, record.key);
    }
    if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
    return () => undefined;
  }

  /** Which resource (other than `ownerKey`) already uses a public IP, if any. */
  private publicIpUser(pip: ResourceRecord, ownerKey: string | undefined): string | undefined {
    for (const r of this.records.values()) {
      if (r.key === ownerKey) continue;
      const props = asObject(r.body.properties);
      if (r.type === ArmTypes.nic) {
        for (const c of asArray(props?.ipConfigurations)) {
          const cfg = asObject(c);
          if (keyOf(refId(asObject(cfg?.properties)?.publicIPAddress) ?? '') === pip.key) {
            return `${r.id}/ipConfigurations/${asString(cfg?.name) ?? ''}`;
          }
        }
      } else if (r.type === ArmTypes.loadBalancer) {
        for (const f of asArray(props?.frontendIPConfigurations)) {
          const fe = asObject(f);
          if (keyOf(refId(asObject(fe?.properties)?.publicIPAddress) ?? '') === pip.key) {
            return `${r.id}/frontendIPConfigurations/${asString(fe?.name) ?? ''}`;
          }
        }
      } else if (r.type === ArmTypes.natGateway) {
        if (asArray(props?.publicIpAddresses).some((p) => keyOf(refId(p) ?? '') === pip.key)) return r.id;
      }
    }
    return undefined;
  }

  private checkPublicIpFree(pip: ResourceRecord, ownerKey: string): void {
    const user = this.publicIpUser(pip, ownerKey);
    if (user !== undefined) {
      throw badRequest(
        'PublicIPAddressInUse',
        `Public IP address ${pip.id} is already in use by ${user} and cannot be referenced by another resource.`,
      );
    }
  }

  private prepareLoadBalancer(record: ResourceRecord, location: string): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const sku = this.skuOf(record);
    const names = (collection: string): Set<string> =>
      new Set(
        asArray(props[collection])
          .map((e) => asString(asObject(e)?.name)?.toLowerCase())
          .filter((n): n is string => n !== undefined),
      );
    const ipsByFrontend: Record<string, Json> = {};
    const used = new Set<number>();
    for (const entry of asArray(props.frontendIPConfigurations)) {
      const fe = asObject(entry) ?? {};
      const feName = asString(fe.name) ?? '';
      const fp = asObject(fe.properties) ?? {};
      this.checkZones(
        fe.zones,
        location,
        `frontend IP configuration ${feName} of load balancer ${record.name}`,
        sku,
      );
      const pipId = refId(fp.publicIPAddress);
      const subnetId = refId(fp.subnet);
      if (pipId !== undefined) {
        const pip = this.requireRef(pipId, ArmTypes.publicIp, record.id, location);
        if (this.skuOf(pip) !== sku) {
          throw badRequest(
            'DifferentSkuLoadBalancerAndPublicIPAddressNotAllowed',
            `${sku === 'standard' ? 'Standard' : 'Basic'} sku load balancer ${record.id} cannot reference ${this.skuOf(pip) === 'standard' ? 'Standard' : 'Basic'} sku publicIP ${pip.id}.`,
          );
        }
        this.checkPublicIpFree(pip, record.key);
      } else if (subnetId !== undefined) {
        const subnet = this.requireRef(subnetId, ArmTypes.subnet, record.id, location);
        const ip = this.allocatePrivateIp(
          subnet,
          fp,
          record.key,
          used,
          `frontend ${feName} of ${record.id}`,
          asString(asObject(record.derived.frontendIps)?.[feName.toLowerCase()]),
        );
        used.add(parseIpv4(ip) ?? -1);
        ipsByFrontend[feName.toLowerCase()] = ip;
      } else {
        throw badRequest(
          'InvalidRequestFormat',
          `Frontend IP configuration ${feName} of ${record.id} needs a publicIPAddress or a subnet.`,
        );
      }
    }
    const checkChildRef = (value: Json | undefined, collection: string, field: string): void => {
      const id = refId(value);
      if (id === undefined) return;
      const prefix = `${record.key}/${collection.toLowerCase()}/`;
      const key = keyOf(id);
      if (!key.startsWith(prefix) || !names(collection).has(key.slice(prefix.length))) {
        throw badRequest(
          'InvalidResourceReference',
          `Resource ${id} referenced by ${field} of load balancer ${record.id} was not found.`,
        );
      }
    };
    for (const entry of asArray(props.loadBalancingRules)) {
      const rp = asObject(asObject(entry)?.properties) ?? {};
      checkChildRef(rp.frontendIPConfiguration, 'frontendIPConfigurations', 'a load balancing rule');
      checkChildRef(rp.backendAddressPool, 'backendAddressPools', 'a load balancing rule');
      checkChildRef(rp.probe, 'probes', 'a load balancing rule');
    }
    for (const entry of asArray(props.outboundRules)) {
      const rp = asObject(asObject(entry)?.properties) ?? {};
      for (const fe of asArray(rp.frontendIPConfigurations))
        checkChildRef(fe, 'frontendIPConfigurations', 'an outbound rule');
      checkChildRef(rp.backendAddressPool, 'backendAddressPools', 'an outbound rule');
    }
    // A backend pool still used by NICs cannot disappear from the load balancer.
    const pools = names('backendAddressPools');
    for (const [nic, cfgName, poolId] of this.backendPoolMembers()) {
      const poolKey = keyOf(poolId);
      const prefix = `${record.key}/backendaddresspools/`;
      if (poolKey.startsWith(prefix) && !pools.has(poolKey.slice(prefix.length))) {
        throw badRequest(
          'InUseBackendAddressPoolCannotBeDeleted',
          `Backend address pool ${poolId} is in use by ${nic.id}/ipConfigurations/${cfgName} and cannot be deleted.`,
        );
      }
    }
    record.derived.frontendIps = ipsByFrontend;
    if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
    return () => undefined;
  }

  /** Every (NIC, ipConfiguration name, backend pool id) membership. */
  private backendPoolMembers(): [ResourceRecord, string, string][] {
    const out: [ResourceRecord, string, string][] = [];
    for (const r of this.records.values()) {
      if (r.type !== ArmTypes.nic) continue;
      for (const c of asArray(asObject(r.body.properties)?.ipConfigurations)) {
        const cfg = asObject(c);
        for (const pool of asArray(asObject(cfg?.properties)?.loadBalancerBackendAddressPools)) {
          const poolId = refId(pool);
          if (poolId !== undefined) out.push([r, asString(cfg?.name) ?? '', poolId]);
        }
      }
    }
    return out;
  }

  /** Addresses in use in a subnet, except those held by `exceptKey`. */
  private allocatedIps(subnetKey: string, exceptKey: string | undefined): Set<number> {
    const used = new Set<number>();
    for (const r of this.records.values()) {
      if (r.key === exceptKey) continue;
      if (r.type === ArmTypes.nic) {
        for (const value of Object.values(asObject(r.derived.privateIps) ?? {})) {
          const entry = asObject(value);
          if (asString(entry?.subnet) === subnetKey) used.add(parseIpv4(asString(entry?.ip) ?? '') ?? -1);
        }
      } else if (r.type === ArmTypes.loadBalancer) {
        const props = asObject(r.body.properties);
        for (const f of asArray(props?.frontendIPConfigurations)) {
          const fe = asObject(f);
          if (keyOf(refId(asObject(fe?.properties)?.subnet) ?? '') !== subnetKey) continue;
          const ip = asString(asObject(r.derived.frontendIps)?.[(asString(fe?.name) ?? '').toLowerCase()]);
          if (ip !== undefined) used.add(parseIpv4(ip) ?? -1);
        }
      }
    }
    return used;
  }

  /** Static addresses are checked; dynamic ones keep their address or get the lowest free one. */
  private allocatePrivateIp(
    subnet: ResourceRecord,
    cfgProps: JsonObject,
    ownerKey: string,
    alsoUsed: Set<number>,
    what: string,
    previous: string | undefined,
  ): string {
    const ranges = subnetPrefixes(asObject(subnet.body.properties)).map((p) =>
      parseCidrOrThrow(p, `subnet ${subnet.name}`),
    );
    const used = this.allocatedIps(subnet.key, ownerKey);
    for (const ip of alsoUsed) used.add(ip);
    const inSubnet = (ip: number): Ipv4Range | undefined => ranges.find((r) => ip >= r.first && ip <= r.last);
    if (asString(cfgProps.privateIPAllocationMethod)?.toLowerCase() === 'static') {
      const text = asString(cfgProps.privateIPAddress);
      const ip = text !== undefined ? parseIpv4(text) : undefined;
      if (ip === undefined) {
        throw badRequest(
          'InvalidRequestFormat',
          `Static allocation for ${what} needs a valid privateIPAddress.`,
        );
      }
      const range = inSubnet(ip);
      if (!range) {
        throw badRequest(
          'PrivateIPAddressNotInSubnet',
          `IP address ${text} for ${what} does not belong to the subnet ${subnet.id}.`,
        );
      }
      if (isReserved(range, ip)) {
        throw badRequest(
          'PrivateIPAddressInReservedRange',
          `IP address ${text} for ${what} is reserved in subnet ${subnet.id}.`,
        );
      }
      if (used.has(ip)) {
        throw badRequest(
          'PrivateIPAddressIsAllocated',
          `IP address ${text} for ${what} is already allocated in subnet ${subnet.id}.`,
        );
      }
      return formatIpv4(ip);
    }
    const prior = previous !== undefined ? parseIpv4(previous) : undefined;
    if (prior !== undefined && inSubnet(prior) && !used.has(prior)) return formatIpv4(prior);
    for (const range of ranges) {
      for (let ip = range.first + 4; ip < range.last; ip++) {
        if (!used.has(ip)) return formatIpv4(ip);
      }
    }
    throw badRequest('SubnetIsFull', `Subnet ${subnet.id} has no free IP address left for ${what}.`);
  }

  private prepareNic(record: ResourceRecord, location: string): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const nsg = refId(props.networkSecurityGroup);
    if (nsg !== undefined) this.requireRef(nsg, ArmTypes.nsg, record.id, location);
    const configs = asArray(props.ipConfigurations).map(asObject);
    if (configs.length === 0) {
      throw badRequest(
        'InvalidRequestFormat',
        `Network interface ${record.id} needs at least one entry in properties.ipConfigurations.`,
      );
    }
    const previous = asObject(record.derived.privateIps) ?? {};
    const privateIps: JsonObject = {};
    const used = new Set<number>();
    for (const cfg of configs) {
      const name = asString(cfg?.name);
      if (!cfg || !name)
        throw badRequest('InvalidRequestFormat', `Every ipConfiguration of ${record.id} needs a name.`);
      const cp = asObject(cfg.properties) ?? {};
      const cfgId = `${record.id}/ipConfigurations/${name}`;
      const subnet = this.requireRef(refId(cp.subnet), ArmTypes.subnet, cfgId, location);
      const pipId = refId(cp.publicIPAddress);
      if (pipId !== undefined) {
        const pip = this.requireRef(pipId, ArmTypes.publicIp, cfgId, location);
        this.checkPublicIpFree(pip, record.key);
      }
      for (const pool of asArray(cp.loadBalancerBackendAddressPools)) {
        this.requireBackendPool(refId(pool), cfgId);
      }
      const prior = asObject(previous[name.toLowerCase()]);
      const priorIp = asString(prior?.subnet) === subnet.key ? asString(prior?.ip) : undefined;
      const ip = this.allocatePrivateIp(subnet, cp, record.key, used, cfgId, priorIp);
      used.add(parseIpv4(ip) ?? -1);
      privateIps[name.toLowerCase()] = { ip, subnet: subnet.key };
    }
    record.derived.privateIps = privateIps;
    if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
    return () => undefined;
  }

  private requireBackendPool(poolId: string | undefined, fromId: string): void {
    const match =
      poolId !== undefined
        ? /^(.*\/loadbalancers\/[^/]+)\/backendaddresspools\/([^/]+)$/.exec(keyOf(poolId))
        : null;
    const lb = match?.[1] !== undefined ? this.records.get(match[1]) : undefined;
    const exists =
      lb !== undefined &&
      asArray(asObject(lb.body.properties)?.backendAddressPools).some(
        (p) => asString(asObject(p)?.name)?.toLowerCase() === match?.[2],
      );
    if (!exists) {
      throw badRequest(
        'InvalidResourceReference',
        `Resource ${poolId ?? '(missing id)'} referenced by resource ${fromId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
      );
    }
  }

  /** The VM a NIC is attached to, if any (other than `exceptKey`). */
  private vmOfNic(nicKey: string, exceptKey?: string): ResourceRecord | undefined {
    for (const r of this.records.values()) {
      if (r.type !== ArmTypes.vm || r.key === exceptKey) continue;
      const nics = asArray(asObject(asObject(r.body.properties)?.networkProfile)?.networkInterfaces);
      if (nics.some((n) => keyOf(refId(n) ?? '') === nicKey)) return r;
    }
    return undefined;
  }

  private prepareVm(
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    location: string,
  ): (op: LroRecord) => void {
    if (existing) keepVmCreationSettings(record.body, existing.body);
    const props = asObject(record.body.properties) ?? {};
    const zones = this.checkZones(record.body.zones, location, `virtual machine ${record.name}`);
    if (zones.length > 1) {
      throw badRequest(
        'InvalidParameter',
        `Virtual machine ${record.name} can be placed in at most one zone; got '${zones.join(',')}'.`,
      );
    }
    const vmSize = asString(asObject(props.hardwareProfile)?.vmSize);
    const vcpus = this.vcpusOrThrow(vmSize, `virtual machine ${record.name}`);
    const nics = asArray(asObject(props.networkProfile)?.networkInterfaces);
    if (nics.length === 0) {
      throw badRequest(
        'InvalidParameter',
        `Virtual machine ${record.name} needs at least one network interface in properties.networkProfile.networkInterfaces.`,
      );
    }
    for (const n of nics) {
      const nic = this.requireRef(refId(n), ArmTypes.nic, record.id, location);
      const owner = this.vmOfNic(nic.key, record.key);
      if (owner) {
        throw badRequest('NicInUse', `Network Interface ${nic.id} is used by existing VM ${owner.id}.`);
      }
    }
    this.checkQuota(record.subscriptionId, location, vcpus, (r) => r.key === record.key);
    if (!record.derived.vmId) record.derived.vmId = randomUUID();
    if (!record.derived.timeCreated) record.derived.timeCreated = new Date().toISOString();
    return () => undefined;
  }

  private validatePool(name: string, props: JsonObject, location: string, fromId: string): number {
    if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) {
      throw badRequest(
        'InvalidParameter',
        `The agent pool name '${name}' is invalid: it must start with a lowercase letter, contain only lowercase letters and numbers, and be at most 12 characters long.`,
      );
    }
    const count = asNumber(props.count) ?? 1;
    const mode = asString(props.mode)?.toLowerCase() ?? 'user';
    if (!Number.isInteger(count) || count < (mode === 'system' ? 1 : 0) || count > 1000) {
      throw badRequest(
        'InvalidParameter',
        `The value of parameter agentPoolProfile.count of pool '${name}' is invalid: ${JSON.stringify(props.count)} (allowed ${mode === 'system' ? 1 : 0}-1000).`,
      );
    }
    if (props.enableAutoScaling === true) {
      const min = asNumber(props.minCount);
      const max = asNumber(props.maxCount);
      if (min === undefined || max === undefined || min > max || count < min || count > max) {
        throw badRequest(
          'InvalidParameter',
          `Pool '${name}' enables autoscaling: minCount (${JSON.stringify(props.minCount)}) <= count (${count}) <= maxCount (${JSON.stringify(props.maxCount)}) is required.`,
        );
      }
    }
    const vcpus = this.vcpusOrThrow(asString(props.vmSize) ?? 'Standard_D2s_v5', `agent pool ${name}`);
    this.checkZones(props.availabilityZones, location, `agent pool ${name}`);
    const subnetId = asString(props.vnetSubnetID);
    if (subnetId !== undefined) this.requireRef(subnetId, ArmTypes.subnet, fromId, location);
    return vcpus * count;
  }

  private prepareCluster(
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    location: string,
  ): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const profiles = asArray(props.agentPoolProfiles).map(asObject);
    if (!existing && profiles.length === 0) {
      throw badRequest(
        'InvalidParameter',
        `Managed cluster ${record.name} needs at least one agent pool in properties.agentPoolProfiles.`,
      );
    }
    let required = 0;
    const desired: { name: string; props: JsonObject }[] = [];
    for (const profile of profiles) {
      const name = asString(profile?.name);
      if (!profile || !name)
        throw badRequest('InvalidParameter', `Every agent pool profile of ${record.name} needs a name.`);
      const { name: _name, ...poolProps } = profile;
      required += this.validatePool(name, poolProps, location, `${record.id}/agentPools/${name}`);
      desired.push({ name, props: poolProps });
    }
    const all = existing ? this.childrenOf(existing) : [];
    const untouched = all.filter((p) => !desired.some((d) => d.name.toLowerCase() === p.name.toLowerCase()));
    // Without any mode AKS makes the first pool the System pool; only all-User is refused.
    if (!existing && desired.every((d) => asString(d.props.mode)?.toLowerCase() === 'user')) {
      throw badRequest(
        'MustDefineAtLeastOneSystemPool',
        `Managed cluster ${record.name} needs at least one agent pool with mode 'System'.`,
      );
    }
    this.checkQuota(
      record.subscriptionId,
      location,
      required,
      (r) => r.parentKey === record.key && !untouched.includes(r),
    );
    if (!record.derived.fqdn) {
      const dnsPrefix = asString(props.dnsPrefix) ?? record.name;
      const hash = createHash('sha256').update(record.id.toLowerCase()).digest('hex').slice(0, 8);
      record.derived.fqdn = `${dnsPrefix}-${hash}.hcp.${location}.azmk8s.io`;
    }
    return (op) => {
      for (const d of desired) {
        this.writeChild(record, ArmTypes.agentPool, 'agentPools', d.name, { properties: d.props }, op);
      }
    };
  }

  /** Location comes from the cluster (the parent); the pool itself has none. */
  private prepareAgentPool(record: ResourceRecord, location: string): (op: LroRecord) => void {
    const props = asObject(record.body.properties) ?? {};
    const required = this.validatePool(record.name, props, location, record.id);
    this.checkQuota(record.subscriptionId, location, required, (r) => r.key === record.key);
    return () => undefined;
  }

  // ---------------------------------------------------------------- deletes

  private checkDeletable(record: ResourceRecord): void {
    switch (record.type) {
      case ArmTypes.vnet:
        for (const s of this.childrenOf(record)) this.checkDeletable(s);
        return;
      case ArmTypes.subnet: {
        const users = this.subnetUsers(record);
        if (users.length > 0) {
          throw badRequest(
            'InUseSubnetCannotBeDeleted',
            `Subnet ${record.name} is in use by ${users[0]} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
          );
        }
        return;
      }
      case ArmTypes.nsg: {
        const users = [...this.nsgSubnets(record), ...this.nsgNics(record)];
        if (users.length > 0) {
          throw badRequest(
            'InUseNetworkSecurityGroupCannotBeDeleted',
            `Network security group ${record.id} cannot be deleted because it is in use by the following resources: ${users.join(', ')}. In order to delete the Network security group, remove the association with the resource(s).`,
          );
        }
        return;
      }
      case ArmTypes.publicIp: {
        const user = this.publicIpUser(record, undefined);
        if (user !== undefined) {
          throw badRequest(
            'PublicIPAddressCannotBeDeleted',
            `Public IP address ${record.id} can not be deleted since it is still allocated to resource ${user}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`,
          );
        }
        return;
      }
      case ArmTypes.natGateway: {
        const users = this.natSubnets(record);
        if (users.length > 0) {
          throw badRequest(
            'InUseNatGatewayCannotBeDeleted',
            `NAT gateway ${record.id} is in use by subnet(s) ${users.join(', ')} and cannot be deleted.`,
          );
        }
        return;
      }
      case ArmTypes.loadBalancer: {
        const member = this.backendPoolMembers().find(([, , poolId]) =>
          keyOf(poolId).startsWith(`${record.key}/`),
        );
        if (member) {
          throw badRequest(
            'InUseLoadBalancerCannotBeDeleted',
            `Load balancer ${record.id} cannot be deleted because its backend pool is referenced by ${member[0].id}/ipConfigurations/${member[1]}.`,
          );
        }
        return;
      }
      case ArmTypes.nic: {
        const vm = this.vmOfNic(record.key);
        if (vm) {
          throw badRequest(
            'InUseNetworkInterfaceCannotBeDeleted',
            `Network Interface ${record.id} is used by existing resource ${vm.id}. In order to delete the network interface, it must be dissociated from the resource.`,
          );
        }
        return;
      }
      default:
        return;
    }
  }

  private subnetUsers(subnet: ResourceRecord): string[] {
    const users: string[] = [];
    for (const r of this.records.values()) {
      const props = asObject(r.body.properties);
      if (r.type === ArmTypes.nic) {
        for (const c of asArray(props?.ipConfigurations)) {
          const cfg = asObject(c);
          if (keyOf(refId(asObject(cfg?.properties)?.subnet) ?? '') === subnet.key) {
            users.push(`${r.id}/ipConfigurations/${asString(cfg?.name) ?? ''}`);
          }
        }
      } else if (r.type === ArmTypes.loadBalancer) {
        for (const f of asArray(props?.frontendIPConfigurations)) {
          const fe = asObject(f);
          if (keyOf(refId(asObject(fe?.properties)?.subnet) ?? '') === subnet.key) {
            users.push(`${r.id}/frontendIPConfigurations/${asString(fe?.name) ?? ''}`);
          }
        }
      } else if (r.type === ArmTypes.agentPool) {
        if (keyOf(asString(props?.vnetSubnetID) ?? '') === subnet.key) users.push(r.id);
      }
    }
    return users;
  }

  /** Ids of the resources of `type` whose `properties[property]` references `target`, oldest first. */
  private referrers(type: string, property: string, target: ResourceRecord): string[] {
    return [...this.records.values()]
      .filter(
        (r) => r.type === type && keyOf(refId(asObject(r.body.properties)?.[property]) ?? '') === target.key,
      )
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.id);
  }

  private nsgSubnets(nsg: ResourceRecord): string[] {
    return this.referrers(ArmTypes.subnet, 'networkSecurityGroup', nsg);
  }

  private nsgNics(nsg: ResourceRecord): string[] {
    return this.referrers(ArmTypes.nic, 'networkSecurityGroup', nsg);
  }

  private natSubnets(nat: ResourceRecord): string[] {
    return this.referrers(ArmTypes.subnet, 'natGateway', nat);
  }

  // ---------------------------------------------------------------- rendering

  private renderGroup(group: ResourceGroupRecord): JsonObject {
    return {
      ...group.body,
      id: group.id,
      name: group.name,
      type: ArmTypes.resourceGroup,
      location: group.location,
      properties: { provisioningState: group.provisioningState },
    };
  }

  /** The resource as ARM returns it: the stored body, then ARM's read-only fields. */
  render(record: ResourceRecord): JsonObject {
    const body = clone(record.body);
    const props: JsonObject = {
      ...(asObject(body.properties) ?? {}),
      provisioningState: record.provisioningState,
    };
    const guid = asString(record.derived.resourceGuid);
    if (guid !== undefined) props.resourceGuid = guid;
    switch (record.type) {
      case ArmTypes.vnet: {
        const subnets = this.childrenOf(record);
        if (subnets.length > 0 || 'subnets' in props)
          props.subnets = subnets.map((s) => this.renderSubnet(s));
        break;
      }
      case ArmTypes.subnet:
        return this.renderSubnet(record);
      case ArmTypes.nsg: {
        props.securityRules = asArray(props.securityRules).map((r) =>
          this.renderEntry(
            r,
            `${record.id}/securityRules`,
            'Microsoft.Network/networkSecurityGroups/securityRules',
          ),
        );
        props.defaultSecurityRules = DEFAULT_SECURITY_RULES.map(
          ([name, direction, priority, access, source, destination]) => ({
            name,
            id: `${record.id}/defaultSecurityRules/${name}`,
            type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules',
            properties: {
              protocol: '*',
              sourcePortRange: '*',
              destinationPortRange: '*',
              sourceAddressPrefix: source,
              destinationAddressPrefix: destination,
              access,
              priority,
              direction,
              provisioningState: 'Succeeded',
            },
          }),
        );
        const subnets = this.nsgSubnets(record);
        if (subnets.length > 0) props.subnets = subnets.map((id) => ({ id }));
        const nics = this.nsgNics(record);
        if (nics.length > 0) props.networkInterfaces = nics.map((id) => ({ id }));
        break;
      }
      case ArmTypes.publicIp: {
        const ip = asString(record.derived.ipAddress);
        if (ip !== undefined) props.ipAddress = ip;
        const user = this.publicIpUser(record, undefined);
        const userRecord = user !== undefined ? this.records.get(keyOf(user)) : undefined;
        if (userRecord?.type === ArmTypes.natGateway) props.natGateway = { id: userRecord.id };
        else if (user !== undefined) props.ipConfiguration = { id: user };
        if (body.sku === undefined) body.sku = { name: 'Standard', tier: 'Regional' };
        break;
      }
      case ArmTypes.natGateway: {
        const subnets = this.natSubnets(record);
        if (subnets.length > 0) props.subnets = subnets.map((id) => ({ id }));
        if (body.sku === undefined) body.sku = { name: 'Standard' };
        break;
      }
      case ArmTypes.loadBalancer: {
        const members = this.backendPoolMembers();
        for (const collection of LB_COLLECTIONS) {
          if (!Array.isArray(props[collection])) continue;
          props[collection] = asArray(props[collection]).map((e) => {
            const entry = this.renderEntry(
              e,
              `${record.id}/${collection}`,
              `Microsoft.Network/loadBalancers/${collection}`,
            );
            const name = asString(entry.name) ?? '';
            const ep = asObject(entry.properties) ?? {};
            if (collection === 'backendAddressPools') {
              const poolKey = keyOf(`${record.id}/backendAddressPools/${name}`);
              const ipcs = members
                .filter(([, , id]) => keyOf(id) === poolKey)
                .map(([nic, cfg]) => ({ id: `${nic.id}/ipConfigurations/${cfg}` }));
              if (ipcs.length > 0) ep.backendIPConfigurations = ipcs;
            }
            if (collection === 'frontendIPConfigurations') {
              const ip = asString(asObject(record.derived.frontendIps)?.[name.toLowerCase()]);
              if (ip !== undefined) ep.privateIPAddress = ip;
            }
            return entry;
          });
        }
        if (body.sku === undefined) body.sku = { name: 'Standard', tier: 'Regional' };
        break;
      }
      case ArmTypes.nic: {
        const ips = asObject(record.derived.privateIps) ?? {};
        props.ipConfigurations = asArray(props.ipConfigurations).map((c) => {
          const entry = this.renderEntry(
            c,
            `${record.id}/ipConfigurations`,
            'Microsoft.Network/networkInterfaces/ipConfigurations',
          );
          const ep = asObject(entry.properties) ?? {};
          const ip = asString(asObject(ips[(asString(entry.name) ?? '').toLowerCase()])?.ip);
          if (ip !== undefined) {
            ep.privateIPAddress = ip;
            if (ep.privateIPAddressVersion === undefined) ep.privateIPAddressVersion = 'IPv4';
          }
          return entry;
        });
        const vm = this.vmOfNic(record.key);
        if (vm) {
          props.virtualMachine = { id: vm.id };
          const hex = createHash('sha256').update(record.key).digest('hex').toUpperCase();
          props.macAddress = `00-22-48-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`;
        }
        break;
      }
      case ArmTypes.vm: {
        const vmId = asString(record.derived.vmId);
        if (vmId !== undefined) props.vmId = vmId;
        const created = asString(record.derived.timeCreated);
        if (created !== undefined) props.timeCreated = created;
        break;
      }
      case ArmTypes.managedCluster: {
        const pools = this.childrenOf(record);
        if (pools.length > 0 || 'agentPoolProfiles' in props) {
          props.agentPoolProfiles = pools.map((p) => ({ name: p.name, ...this.poolProperties(p) }));
        }
        const fqdn = asString(record.derived.fqdn);
        if (fqdn !== undefined) props.fqdn = fqdn;
        const version = asString(props.kubernetesVersion);
        if (version !== undefined) props.currentKubernetesVersion = version;
        if (props.nodeResourceGroup === undefined) {
          props.nodeResourceGroup = `MC_${record.resourceGroup}_${record.name}_${this.recordLocation(record)}`;
        }
        if (props.powerState === undefined) props.powerState = { code: 'Running' };
        props.maxAgentPools = 100;
        break;
      }
      case ArmTypes.agentPool:
        return {
          ...body,
          id: record.id,
          name: record.name,
          type: record.type,
          ...this.etagField(record),
          properties: this.poolProperties(record),
        };
    }
    return {
      ...body,
      id: record.id,
      name: record.name,
      type: record.type,
      ...this.etagField(record),
      properties: props,
    };
  }

  /** AKS spells it `eTag`; the other providers `etag`. */
  private etagField(record: ResourceRecord): JsonObject {
    return namespaceOf(record.type) === 'Microsoft.ContainerService'
      ? { eTag: record.etag }
      : { etag: record.etag };
  }

  private poolProperties(pool: ResourceRecord): JsonObject {
    const props: JsonObject = {
      ...(asObject(pool.body.properties) ?? {}),
      provisioningState: pool.provisioningState,
    };
    const version = asString(props.orchestratorVersion);
    if (version !== undefined) props.currentOrchestratorVersion = version;
    if (props.powerState === undefined) props.powerState = { code: 'Running' };
    return props;
  }

  private renderSubnet(subnet: ResourceRecord): JsonObject {
    const body = clone(subnet.body);
    const props: JsonObject = {
      ...(asObject(body.properties) ?? {}),
      provisioningState: subnet.provisioningState,
    };
    const users = this.subnetUsers(subnet).filter((u) =>
      /\/(ipconfigurations|frontendipconfigurations)\//i.test(u),
    );
    if (users.length > 0) props.ipConfigurations = users.map((id) => ({ id }));
    return {
      ...body,
      name: subnet.name,
      id: subnet.id,
      etag: subnet.etag,
      type: subnet.type,
      properties: props,
    };
  }

  private renderEntry(value: Json, parentPath: string, type: string): JsonObject {
    const entry = clone(asObject(value) ?? {});
    const name = asString(entry.name) ?? '';
    return {
      ...entry,
      id: `${parentPath}/${name}`,
      type,
      properties: { ...(asObject(entry.properties) ?? {}), provisioningState: 'Succeeded' },
    };
  }
}

/** ARM's naming rules: 1–80 characters (63 for AKS), letters, digits, '.', '_' and '-'. */
/** Strings compared the way Compute compares them (case-insensitively), `undefined` = not given. */
function sameText(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sshKeysOf(linux: JsonObject | undefined): string {
  const keys = asArray(asObject(linux?.ssh)?.publicKeys).map((k) => {
    const key = asObject(k);
    return `${asString(key?.path) ?? ''}\u0000${asString(key?.keyData)?.trim() ?? ''}`;
  });
  return JSON.stringify(keys.sort());
}

/**
 * A PUT on an existing VM may not change what Compute fixes at creation: the zone, the OS profile's
 * admin user, computer name and SSH keys, the image and the OS disk's name and create option. Each
 * refusal names the property the way Compute does. A section the request leaves out keeps its value
 * (the stored body stays whole, as ARM's does).
 */
function keepVmCreationSettings(body: JsonObject, before: JsonObject): void {
  const oldZones = asArray(before.zones).map(String).sort();
  if (body.zones === undefined) {
    if (before.zones !== undefined) body.zones = clone(before.zones);
  } else if (asArray(body.zones).map(String).sort().join(',') !== oldZones.join(',')) {
    throw propertyChangeNotAllowed('zones');
  }

  const props = asObject(body.properties) ?? (body.properties = {});
  const oldProps = asObject(before.properties) ?? {};
  const oldOs = asObject(oldProps.osProfile);
  const os = asObject(props.osProfile);
  if (!os) {
    if (oldOs) props.osProfile = clone(oldOs);
  } else if (oldOs) {
    for (const key of ['computerName', 'adminUsername']) {
      if (os[key] !== undefined && !sameText(os[key], oldOs[key])) throw propertyChangeNotAllowed(key);
    }
    const linux = asObject(os.linuxConfiguration);
    const oldLinux = asObject(oldOs.linuxConfiguration);
    if (linux && oldLinux) {
      const flag = 'disablePasswordAuthentication';
      if (linux[flag] !== undefined && oldLinux[flag] !== undefined && linux[flag] !== oldLinux[flag]) {
        throw propertyChangeNotAllowed(`linuxConfiguration.${flag}`);
      }
      if (asObject(linux.ssh)?.publicKeys !== undefined && sshKeysOf(linux) !== sshKeysOf(oldLinux)) {
        throw propertyChangeNotAllowed('linuxConfiguration.ssh.publicKeys');
      }
    }
  }

  const oldStorage = asObject(oldProps.storageProfile);
  const storage = asObject(props.storageProfile);
  if (!storage) {
    if (oldStorage) props.storageProfile = clone(oldStorage);
    return;
  }
  const image = asObject(storage.imageReference);
  const oldImage = asObject(oldStorage?.imageReference);
  if (!image) {
    if (oldImage) storage.imageReference = clone(oldImage);
  } else if (oldImage) {
    for (const key of ['publisher', 'offer', 'sku', 'version', 'id']) {
      if (!sameText(image[key], oldImage[key])) throw propertyChangeNotAllowed('imageReference');
    }
  }
  const disk = asObject(storage.osDisk);
  const oldDisk = asObject(oldStorage?.osDisk);
  if (!disk) {
    if (oldDisk) storage.osDisk = clone(oldDisk);
  } else if (oldDisk) {
    for (const key of ['name', 'createOption']) {
      if (disk[key] !== undefined && oldDisk[key] !== undefined && !sameText(disk[key], oldDisk[key])) {
        throw propertyChangeNotAllowed(`osDisk.${key}`);
      }
    }
  }
}

function checkResourceName(type: ArmType, name: string): void {
  const aks = namespaceOf(type) === 'Microsoft.ContainerService';
  const pattern = aks
    ? /^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/
    : /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,78}[a-zA-Z0-9_])?$/;
  if (type !== ArmTypes.agentPool && !pattern.test(name)) {
    throw badRequest(
      'InvalidResourceName',
      `Resource name '${name}' is invalid. The name can be up to ${aks ? 63 : 80} characters long. It must begin with a word character, and it must end with a word character${aks ? '' : " or with '_'"}. The name may contain word characters or '.', '-', '_'.`,
    );
  }
}

/** JSON merge patch (RFC 7396), the way ARM applies PATCH bodies. */
function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else {
      const current = asObject(target[key]);
      const next = asObject(value);
      target[key] = current && next ? mergePatch(current, next) : value;
    }
  }
  return target;
}
