import { badRequest, conflict } from '../armError';
import { asObject, asString, clone, type JsonObject } from '../json';
import { type DeletedVault, DeletedVaults } from '../keyVault/deletedVaults';
import { providerOf } from '../providers';
import type { ProviderContext, Referrer } from '../providers/provider';
import { normalizeLocation } from '../regions';
import type { LroRecord, ResourceRecord } from './records';
import { ReferenceIndex } from './referenceIndex';
import { newEtag } from './rules';

/**
 * The resources the store holds, the reverse-reference index over them, and the questions
 * providers ask about them (`ProviderContext`). Records enter and leave only through `setRecord`
 * and `removeRecord`, so the index always matches the bodies.
 */
export class ResourceRecords implements ProviderContext {
  seq = 0;
  publicIpCounter = 0;
  readonly records = new Map<string, ResourceRecord>();
  private readonly references = new ReferenceIndex();
  /** Soft-deleted key vaults (their names stay reserved until purged). */
  readonly deletedVaults = new DeletedVaults();

  /** Set once the server listens (see ArmStore.setBaseUrl). */
  url = 'https://127.0.0.1';

  constructor(private readonly vcpuQuota: () => number) {}

  baseUrl(): string {
    return this.url;
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  values(): ResourceRecord[] {
    return [...this.records.values()];
  }

  clear(): void {
    this.records.clear();
    this.references.clear();
    this.deletedVaults.clear();
  }

  /** The one way a record enters the store, so the reference index always matches the bodies. */
  setRecord(record: ResourceRecord): void {
    this.records.set(record.key, record);
    const provider = providerOf(record.type);
    this.references.set(record.key, provider.references?.(record) ?? []);
  }

  removeRecord(key: string): void {
    this.records.delete(key);
    this.references.remove(key);
  }

  // ---------------------------------------------------------------- what providers may ask

  record(key: string): ResourceRecord | undefined {
    return this.records.get(key);
  }

  deletedVault(name: string): DeletedVault | undefined {
    return this.deletedVaults.find(name);
  }

  childrenOf(record: ResourceRecord): ResourceRecord[] {
    return [...this.records.values()].filter((r) => r.parentKey === record.key).sort((a, b) => a.seq - b.seq);
  }

  referrers(targetKey: string): Referrer[] {
    const out: Referrer[] = [];
    const holders = this.references
      .referrersOf(targetKey)
      .map(([key, refs]) => [this.records.get(key), refs] as const)
      .sort(([a], [b]) => (a?.seq ?? 0) - (b?.seq ?? 0));
    for (const [from, refs] of holders) {
      if (from) for (const ref of refs) out.push({ ...ref, from });
    }
    return out;
  }

  recordLocation(record: ResourceRecord): string {
    const location = asString(record.body.location);
    if (location !== undefined) return normalizeLocation(location);
    const parent = record.parentKey ? this.records.get(record.parentKey) : undefined;
    return parent ? this.recordLocation(parent) : 'global';
  }

  /** The one delete-conflict rule: a resource (or a child of it) still referenced cannot go. */
  checkDeletable(record: ResourceRecord): void {
    const inUse = providerOf(record.type).inUse;
    if (inUse) {
      const users = this.referrers(record.key);
      if (users.length > 0) throw badRequest(inUse.code, inUse.message(record, users));
    }
    for (const child of this.childrenOf(record)) this.checkDeletable(child);
  }

  checkQuota(
    subscriptionId: string,
    location: string,
    required: number,
    exclude: (r: ResourceRecord) => boolean,
  ): void {
    const limit = this.vcpuQuota();
    let used = 0;
    for (const r of this.records.values()) {
      if (r.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase() || exclude(r)) continue;
      const provider = providerOf(r.type);
      if (provider.vcpus && this.recordLocation(r) === location) used += provider.vcpus(r);
    }
    if (used + required > limit) {
      throw conflict(
        'QuotaExceeded',
        `Operation could not be completed as it results in exceeding approved Total Regional Cores quota. Additional details - Deployment Model: Resource Manager, Location: ${location}, Current Limit: ${limit}, Current Usage: ${used}, Additional Required: ${required}, (Minimum) New Limit Required: ${used + required}.`,
      );
    }
  }

  writeChild(
    parent: ResourceRecord,
    type: string,
    collection: string,
    name: string,
    body: JsonObject,
    op: LroRecord,
  ): void {
    const key = `${parent.key}/${collection.toLowerCase()}/${name.toLowerCase()}`;
    const prior = this.records.get(key);
    this.setRecord({
      seq: prior?.seq ?? this.nextSeq(),
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

  nextPublicIpNumber(): number {
    this.publicIpCounter += 1;
    return this.publicIpCounter;
  }

  // ---------------------------------------------------------------- rendering

  /** The resource as ARM returns it: the stored body, then ARM's read-only fields. */
  render(record: ResourceRecord): JsonObject {
    const provider = providerOf(record.type);
    const body = clone(record.body);
    const props: JsonObject = {
      ...(asObject(body.properties) ?? {}),
      provisioningState: record.provisioningState,
    };
    const guid = asString(record.derived.resourceGuid);
    if (guid !== undefined) props.resourceGuid = guid;
    provider.render?.(this, record, body, props);
    return {
      ...body,
      id: record.id,
      name: record.name,
      type: provider.armType ?? record.type,
      [provider.etagField ?? 'etag']: record.etag,
      properties: props,
    };
  }
}
