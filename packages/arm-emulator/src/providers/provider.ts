import type { Json, JsonObject } from '../json';
import type { DeletedVault } from '../keyVault/deletedVaults';
import type { LroRecord, ResourceRecord } from '../store/records';

/** How the first response of a long-running operation tells the client to poll. */
export type PollStyle = 'azure-async-operation' | 'location';

/**
 * A link from one resource to another (`{ id }` in its body). `via` is what ARM names as the user
 * in messages and back-references (the resource, or one of its entries such as an ipConfiguration);
 * `entry` is set when the link points inside the target (a load balancer's backend pool).
 */
export interface Reference {
  /** The referenced resource's id, as written in the body. */
  target: string;
  /** The path inside the target (`backendAddressPools/pool`), when the link points into it. */
  entry?: string;
  /** The role of the link, e.g. the property name (`subnet`, `networkSecurityGroup`). */
  kind: string;
  via: string;
}

/** A reference found in the reverse index, with the resource that holds it. */
export interface Referrer extends Reference {
  from: ResourceRecord;
}

/** Applied once a write has passed validation and joined its operation (child resources). */
export type ApplyWrite = (op: LroRecord) => void;

/** What a provider may ask of the store while it validates or renders one of its resources. */
export interface ProviderContext {
  record(key: string): ResourceRecord | undefined;
  /** The soft-deleted key vault holding `name` (names are global), if any. */
  deletedVault(name: string): DeletedVault | undefined;
  /** Child resources of `record`, oldest first. */
  childrenOf(record: ResourceRecord): ResourceRecord[];
  /** Every reference to `targetKey` (a resource key), oldest referrer first. */
  referrers(targetKey: string): Referrer[];
  /** The region of a resource (children take their parent's). */
  recordLocation(record: ResourceRecord): string;
  /** The resource as ARM returns it. */
  render(record: ResourceRecord): JsonObject;
  /** Throws the provider's in-use error when `record` (or one of its children) is still referenced. */
  checkDeletable(record: ResourceRecord): void;
  /** 409 QuotaExceeded when `required` more vCPUs do not fit in the region's quota. */
  checkQuota(
    subscriptionId: string,
    location: string,
    required: number,
    exclude: (r: ResourceRecord) => boolean,
  ): void;
  /**
   * Creates or updates a child resource written through its parent's body (a VNet's subnets, a
   * managed cluster's agent pools): it keeps its id, name and derived fields and joins the parent's
   * operation.
   */
  writeChild(
    parent: ResourceRecord,
    type: string,
    collection: string,
    name: string,
    body: JsonObject,
    op: LroRecord,
  ): void;
  removeRecord(key: string): void;
  /** A counter kept in the store's snapshot (public IP addresses are numbered from it). */
  nextPublicIpNumber(): number;
  /** The emulator's own https://127.0.0.1:PORT (data-plane URLs such as a vault's point there). */
  baseUrl(): string;
}

/** ARM's name rule for a type: a pattern and the sentence that explains it. */
export interface NameRule {
  pattern: RegExp;
  message: (name: string) => string;
}

/**
 * One ARM resource type: everything the emulator knows about it. The store holds records and
 * operations and asks the provider for the type's rules; adding a type is one module like this and
 * one line in `providers/index.ts`.
 */
export interface ResourceProvider {
  /**
   * The canonical type, `Namespace/type[/childType]`. A child type's parent must be registered too.
   * Extension resources use `extensionType(scopeType, armType)` (see armTypes.ts).
   */
  type: string;
  /** Accepts the location `global` as well as regions (resource-group Event Grid system topics). */
  globalLocation?: boolean;
  /** The type ARM reports in bodies, when it differs from the table key (extension resources). */
  armType?: string;
  /** Writes to one child may run while a sibling's runs (AKS agent pools); default: one at a time (subnets). */
  siblingsMayRun?: boolean;
  /** Resources without a location (role and policy assignments); at top level they take their group's. */
  locationless?: boolean;
  /**
   * Service events (AKS's `Microsoft.ContainerService.*`) for a write or delete of one of its
   * resources, when the operation starts and when it ends.
   */
  events?(
    ctx: ProviderContext,
    record: ResourceRecord,
    moment: { kind: 'write' | 'delete'; phase: 'started' | 'succeeded' | 'failed' },
  ): ServiceEvent[];
  /** Latency at time scale 1. */
  latencyMs: { write: number; delete: number };
  /** `properties.*` ARM computes; ignored when a client sends them back (GET → modify → PUT). */
  readOnly?: readonly string[];
  /** Removes read-only fields of entries inside the body (subnets of a VNet, rules of an NSG). */
  stripReadOnly?(props: JsonObject): void;
  /** Name rule checked on create; `null` when the provider checks names itself. Default: ARM's generic rule. */
  nameRule?: NameRule | null;
  /** The etag's property name (AKS spells it `eTag`). Default `etag`. */
  etagField?: 'etag' | 'eTag';
  /** Poll style per method. Defaults: writes Azure-AsyncOperation, deletes Location. */
  poll?: { write?: PollStyle; delete?: PollStyle };
  /** Writes and deletes answer at once (200/201, 200/204) instead of starting a long-running operation. */
  sync?: boolean;
  /** A PUT answers 200 even when it creates: configuration resources that always exist on Azure (a site's app settings). */
  putAlwaysOk?: boolean;
  /** PATCH: `sync` applies at once and answers the resource (Network's updateTags); default `lro`. */
  patch?: 'sync' | 'lro';
  /** The other resources this one's body points at; they feed the store's reverse-reference index. */
  references?(record: ResourceRecord): Reference[];
  /** Refuses a delete while anything references the resource (`InUse…`); the one delete-conflict rule. */
  inUse?: { code: string; message(record: ResourceRecord, users: Referrer[]): string };
  /** vCPUs the resource counts against the regional quota. */
  vcpus?(record: ResourceRecord): number;
  /**
   * Validates a write against the current state (throw an ArmError to refuse) and fills
   * `record.derived`; returns what to do once the write has an operation (children), if anything.
   */
  prepare?(
    ctx: ProviderContext,
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    parent: ResourceRecord | undefined,
    location: string,
  ): ApplyWrite | undefined;
  /** Adds ARM's computed fields to the rendered `body` and `props` (both copies, free to change). */
  render?(ctx: ProviderContext, record: ResourceRecord, body: JsonObject, props: JsonObject): void;
}

/** A service event: published on Event Grid with the topic of the resource it names. */
export interface ServiceEvent {
  eventType: string;
  /** The resource the event is about (its id): the event's topic. */
  topic: string;
  subject: string;
  data: JsonObject;
}

export type { Json, JsonObject };
