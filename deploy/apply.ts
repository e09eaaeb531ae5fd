/**
 * Applies a deployment plan with the Azure SDKs: each resource is read (GET), compared with the
 * plan, and written (PUT) only when it is missing or differs, so a second run writes nothing.
 * Resources start as soon as what they depend on is done (independent ones in parallel); the app's
 * package is uploaded between the infrastructure and the Event Grid subscriptions, which Azure
 * validates against the app's functions.
 */
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { TokenCredential } from '@azure/core-auth';

import { differences } from './compare';
import type { DeploymentPlan, DeployResource, Json, JsonObject } from './plan';
import { RUNTIME_REF } from './plan';

type Action = 'created' | 'updated' | 'unchanged';

export interface DeployClients {
  resources: ResourceManagementClient;
  webApps: {
    listApplicationSettings(rg: string, name: string): Promise<{ properties?: Record<string, string> }>;
    updateApplicationSettings(
      rg: string,
      name: string,
      settings: { properties: Record<string, string> },
    ): Promise<unknown>;
    listHostKeys(rg: string, name: string): Promise<{ functionKeys?: Record<string, string> }>;
  };
  roleAssignments: {
    listForScope(
      scope: string,
      options?: { filter?: string },
    ): AsyncIterable<{
      id?: string;
      name?: string;
      scope?: string;
      roleDefinitionId?: string;
      principalId?: string;
      condition?: string;
    }>;
    create(
      scope: string,
      name: string,
      parameters: {
        roleDefinitionId: string;
        principalId: string;
        principalType?: string;
        condition?: string;
        conditionVersion?: string;
      },
    ): Promise<unknown>;
  };
  credential: TokenCredential;
  pollIntervalMs: number;
  /** Retry waits (ms) for a new identity not yet visible to role assignments (`PrincipalNotFound`). */
  principalRetryDelaysMs: number[];
}

/** A resource the apply could not write: names it and carries ARM's error code. */
export class DeployResourceError extends Error {
  override readonly name = 'DeployResourceError';

  constructor(
    readonly resource: DeployResource,
    readonly code: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${resource.type} '${resource.name}': ${code}: ${detail}`, options);
  }
}

function armCode(err: unknown): { code: string; message: string; status?: number } {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; details?: unknown };
  const details = e.details as { error?: { code?: string; message?: string } } | undefined;
  const code =
    typeof e.code === 'string' && e.code !== ''
      ? e.code
      : (details?.error?.code ?? (typeof e.statusCode === 'number' ? `HTTP ${e.statusCode}` : 'Error'));
  const message = details?.error?.message ?? (typeof e.message === 'string' ? e.message : String(err));
  return { code, message, ...(typeof e.statusCode === 'number' ? { status: e.statusCode } : {}) };
}

function isNotFound(err: unknown): boolean {
  return armCode(err).status === 404;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface ApplyReport {
  counts: Record<Action, number>;
  /** Writes this run sent to ARM (PUTs and PATCHes) and to the SCM site (package uploads). */
  writes: number;
  packageUploaded: boolean;
  apiUrl: string;
}

/** Replaces `$ref(id#property)` markers with the property of a resource already applied. */
function resolveRefs(value: Json, state: Map<string, JsonObject>): Json {
  if (typeof value === 'string')
    return value.replace(RUNTIME_REF, (_m, id: string, property: string) => {
      const props = state.get(id.toLowerCase())?.['properties'];
      const found = isObject(props) ? props[property] : undefined;
      if (typeof found !== 'string') throw new Error(`${id} has no properties.${property} yet`);
      return found;
    });
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, state));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, state)]));
  return value;
}

const ROLE_ASSIGNMENTS = '/providers/microsoft.authorization/roleassignments/';

export class PlanApplier {
  private readonly state = new Map<string, JsonObject>();
  private readonly counts: Record<Action, number> = { created: 0, updated: 0, unchanged: 0 };
  private writes = 0;

  constructor(
    private readonly plan: DeploymentPlan,
    private readonly clients: DeployClients,
    private readonly progress: (line: string) => void,
  ) {}

  /** The infrastructure, the package, then what needs the app's functions. */
  async run(upload: (site: JsonObject) => Promise<boolean>): Promise<ApplyReport> {
    await this.stage('infrastructure');
    const site = this.state.get(this.plan.functionApp.id.toLowerCase()) ?? {};
    const uploaded = await upload(site);
    if (uploaded) this.writes += 2; // the upload and the site's package tag
    await this.stage('afterPackage');
    const props = site['properties'];
    const host =
      isObject(props) && typeof props['defaultHostName'] === 'string'
        ? props['defaultHostName']
        : this.plan.functionApp.hostName;
    return {
      counts: { ...this.counts },
      writes: this.writes,
      packageUploaded: uploaded,
      apiUrl: `https://${host}/api`,
    };
  }

  /** Applies one stage: each resource once its dependencies are done; every failure reported. */
  private async stage(stage: DeployResource['stage']): Promise<void> {
    const resources = this.plan.resources.filter((r) => r.stage === stage);
    const tasks = new Map<string, Promise<void>>();
    const failures: DeployResourceError[] = [];
    const start = (r: DeployResource): Promise<void> => {
      const key = r.id.toLowerCase();
      let task = tasks.get(key);
      if (task) return task;
      const deps = r.dependsOn
        .map((d) => resources.find((x) => x.id.toLowerCase() === d.toLowerCase()))
        .filter((d): d is DeployResource => d !== undefined);
      task = Promise.all(deps.map(start)).then(
        () =>
          this.applyOne(r).catch((err: unknown) => {
            const e =
              err instanceof DeployResourceError
                ? err
                : new DeployResourceError(r, armCode(err).code, armCode(err).message, { cause: err });
            failures.push(e);
            this.progress(`  ✗ failed     ${r.type}  ${r.name}: ${e.code}`);
            throw e;
          }),
        (err: unknown) => {
          this.progress(`  - skipped    ${r.type}  ${r.name} (a resource it depends on failed)`);
          throw err;
        },
      );
      tasks.set(key, task);
      return task;
    };
    await Promise.allSettled(resources.map(start));
    if (failures.length > 0) throw new AggregateDeployError(failures);
  }

  private report(r: DeployResource, action: Action, changed: string[] = []): void {
    this.counts[action] += 1;
    if (action !== 'unchanged') this.writes += 1;
    const detail =
      action === 'updated' ? ` (${changed.slice(0, 4).join(', ')}${changed.length > 4 ? ', …' : ''})` : '';
    // A role assignment's name is a GUID: say which role on which scope.
    const what =
      r.type === 'Microsoft.Authorization/roleAssignments'
        ? `${r.name} (${r.purpose.replace(/ — .*$/, '').replace(/^(.{0,90}).*$/, '$1')})`
        : r.name;
    this.progress(
      `  ${action === 'created' ? '+' : action === 'updated' ? '~' : '='} ${action.padEnd(10)} ${r.type}  ${what}${detail}`,
    );
  }

  private async applyOne(r: DeployResource): Promise<void> {
    const body = resolveRefs(r.body, this.state) as JsonObject;
    if (r.type === 'Microsoft.Authorization/roleAssignments') return this.applyRoleAssignment(r, body);
    if (r.type === 'Microsoft.Web/sites/config') return this.applyAppSettings(r, body);
    const current = await this.read(r);
    if (r.type === 'Microsoft.Resources/resourceGroups' && current) {
      // An existing group keeps its region; only the tags are the plan's business.
      const tags = { tags: body['tags'] ?? {} };
      const changed = differences(tags, current);
      if (changed.length > 0) {
        const merged = {
          location: current['location'] ?? body['location'],
          tags: { ...(isObject(current['tags']) ? current['tags'] : {}), ...(body['tags'] as JsonObject) },
        };
        await this.clients.resources.resourceGroups.createOrUpdate(r.name, merged as never);
        this.state.set(r.id.toLowerCase(), { ...current, ...merged } as JsonObject);
        return this.report(r, 'updated', changed);
      }
      this.state.set(r.id.toLowerCase(), current);
      return this.report(r, 'unchanged');
    }
    const changed = current === undefined ? ['(new)'] : differences(body, current);
    if (changed.length === 0 && current) {
      this.state.set(r.id.toLowerCase(), current);
      return this.report(r, 'unchanged');
    }
    // Tags others put on the resource (the package hash on the site) survive the PUT.
    const put = { ...body };
    if (current && isObject(current['tags']) && isObject(body['tags']))
      put['tags'] = { ...current['tags'], ...body['tags'] };
    const written = await this.clients.resources.resources.createOrUpdateById(
      r.id.slice(1),
      r.apiVersion,
      put,
      {
        updateIntervalInMs: this.clients.pollIntervalMs,
      },
    );
    this.state.set(r.id.toLowerCase(), written as unknown as JsonObject);
    this.report(r, current ? 'updated' : 'created', changed);
  }

  private async read(r: DeployResource): Promise<JsonObject | undefined> {
    try {
      return (await this.clients.resources.resources.getById(
        r.id.slice(1),
        r.apiVersion,
      )) as unknown as JsonObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** App settings: read with `config/appsettings/list` (a GET never shows them), written merged with what the app already has. */
  private async applyAppSettings(r: DeployResource, body: JsonObject): Promise<void> {
    const [, site = ''] = /\/sites\/([^/]+)\/config\//i.exec(r.id) ?? [];
    const desired = (body['properties'] ?? {}) as Record<string, string>;
    const current =
      (await this.clients.webApps.listApplicationSettings(r.resourceGroup, site)).properties ?? {};
    const changed = Object.keys(desired).filter((k) => current[k] !== desired[k]);
    if (changed.length === 0) return this.report(r, 'unchanged');
    const existed = Object.keys(current).length > 0;
    await this.clients.webApps.updateApplicationSettings(r.resourceGroup, site, {
      properties: { ...current, ...desired },
    });
    // Setting names only: values may be secrets the user added.
    this.report(r, existed ? 'updated' : 'created', changed);
  }

  /**
   * A role assignment is present when the principal already holds the role at exactly this scope,
   * whatever the assignment's name (one made by hand or by the template counts); only a different
   * condition is written, to that assignment.
   */
  private async applyRoleAssignment(r: DeployResource, body: JsonObject): Promise<void> {
    const props = body['properties'] as Record<string, string>;
    const i = r.id.toLowerCase().lastIndexOf(ROLE_ASSIGNMENTS);
    const scope = r.id.slice(0, i);
    const roleGuid = (props['roleDefinitionId'] ?? '').split('/').pop()?.toLowerCase();
    const principalId = props['principalId'] ?? '';
    let existing: { name?: string; condition?: string } | undefined;
    for await (const a of this.clients.roleAssignments.listForScope(scope, {
      filter: `principalId eq '${principalId}'`,
    })) {
      if (
        a.principalId?.toLowerCase() === principalId.toLowerCase() &&
        a.roleDefinitionId?.split('/').pop()?.toLowerCase() === roleGuid &&
        (a.scope === undefined || a.scope.toLowerCase() === scope.toLowerCase())
      ) {
        existing = a;
        break;
      }
    }
    const condition = props['condition'] ?? '';
    if (existing && (existing.condition ?? '') === condition) return this.report(r, 'unchanged');
    const parameters = {
      roleDefinitionId: props['roleDefinitionId'] ?? '',
      principalId,
      principalType: props['principalType'] ?? 'ServicePrincipal',
      ...(props['condition'] !== undefined
        ? { condition: props['condition'], conditionVersion: props['conditionVersion'] ?? '2.0' }
        : {}),
    };
    const name = existing?.name ?? r.name;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.clients.roleAssignments.create(scope, name, parameters);
        break;
      } catch (err) {
        // A new identity takes a while to reach Entra ID's replicas: ARM answers PrincipalNotFound meanwhile.
        const delay = this.clients.principalRetryDelaysMs[attempt];
        if (armCode(err).code !== 'PrincipalNotFound' || delay === undefined) throw err;
        this.progress(
          `    waiting ${Math.round(delay / 1000)} s for the new identity to replicate (PrincipalNotFound)`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.report(r, existing ? 'updated' : 'created', existing ? ['properties.condition'] : ['(new)']);
  }
}

/** Every resource that failed in a stage. */
export class AggregateDeployError extends Error {
  override readonly name = 'AggregateDeployError';

  constructor(readonly failures: DeployResourceError[]) {
    super(failures.map((f) => f.message).join('\n'));
  }
}
