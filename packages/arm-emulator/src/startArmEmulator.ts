import * as fs from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { type AllocationFailureRule, AllocationFailures } from './allocationFailures';
import { ArmError } from './armError';
import { createArmRequestHandler, type OperationRecord, type RouterContext } from './armRouter';
import { ArmStore, type RunCommandExecution, type StoreSnapshot } from './armStore';
import { ArmThrottle, AZURE_THROTTLE_LIMITS, type ThrottleLimits } from './armThrottle';
import { computeLimitsOf, ComputeThrottle, type ComputeThrottleSetting } from './computeThrottle';
import { parseSettings } from './controlSettings';
import { EventPublisher } from './eventPublisher';
import { FaultInjector, type FaultRule } from './faultInjector';
import type { Json, JsonObject } from './json';
import { DEFAULT_APP_PRINCIPAL_ID, type IdentityToken, issueIdentityToken } from './keyVault/dataPlaneAccess';
import { SecretsDataPlane, type SecretsSnapshot } from './keyVault/secretsDataPlane';
import type { LatencyDistribution } from './latencyDistributions';
import { type LatencyDraw, LatencyModel, type LatencyModelKind } from './latencyModel';
import { PROVIDERS } from './providers';
import { resourceGroups } from './providers/resources/resourceGroups';
import { type DeployedPackage, deployedPackages } from './providers/web/kudu';
import { writeFileDurably } from './store/stateFile';
import { loadOrCreateTlsIdentity } from './tlsIdentity';

export interface ArmEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Multiplies every latency; 0 = operations finish at once. Default 1. */
  timeScale?: number;
  /**
   * Latency at time scale 1 per ARM type (any case); `<type>:delete` for deletes only. Pins the type
   * to that constant in either latency model.
   */
  latencyMs?: Partial<Record<string, number>>;
  /**
   * `'fixed'` (default): every operation of a type takes its constant latency. `'heavy-tail'`: a
   * seeded log-normal per type fitted to a median and p99 (README, "Latency models").
   */
  latencyModel?: LatencyModelKind;
  /** Seed of the heavy-tailed draws (integer 0 … 2³²−1); a random one when absent (see `seed`). */
  seed?: number;
  /** Heavy-tail figures per ARM type (any case; `<type>:delete` for deletes only), time scale 1. */
  latencyDistributions?: Partial<Record<string, LatencyDistribution>>;
  /** Zones and VM sizes without capacity (README, "Allocation failures"). */
  allocationFailures?: AllocationFailureRule[];
  /**
   * Loaded on start when it exists. Every change a client is told about is on disk before the answer
   * is sent (as on Azure, an accepted write survives a crash); changes no request saw (an operation
   * finishing on its timer) are saved shortly after. Operations still running when the process died
   * resume on restart and finish at their time. The TLS key and certificate are kept beside it
   * (`<file>.key.pem`, `<file>.cert.pem`) and reused on restart.
   */
  stateFile?: string;
  /** Loopback webhook URLs that receive ARM's ResourceWriteSuccess/ResourceDeleteSuccess events. */
  eventSubscribers?: string[];
  /** Regional vCPU quota per subscription (VMs and AKS node pools). Default 1000. */
  vcpuQuotaPerRegion?: number;
  /** Resource groups that exist from the start (subscription defaults to all-zero guid). */
  resourceGroups?: { name: string; location: string; subscriptionId?: string }[];
  /** Retry-After (seconds) on LRO responses; by default none, so the client's poll interval rules. */
  pollRetryAfterSeconds?: number;
  /** Called once per ARM request (the standalone process logs with it). */
  onRequest?: (record: OperationRecord) => void;
  /**
   * ARM's request throttling (token buckets per subscription on the emulator's clock): `'azure'` for
   * Azure's documented limits, or limits of your own. Off by default.
   */
  throttle?: 'azure' | ThrottleLimits;
  /**
   * Compute's request limits on VM requests (per policy, region, subscription and VM): `'azure'`
   * for Compute's documented buckets, `'azure-legacy'` for the 3-/30-minute policies its headers
   * report, or limits of your own. Off by default.
   */
  computeThrottle?: ComputeThrottleSetting;
  /**
   * The principal (object id) the app's static bearer token acts as on data planes (Key Vault's
   * RBAC); default `DEFAULT_APP_PRINCIPAL_ID`. Tokens that are JWTs with an `oid` claim act as that
   * principal instead (the identity tokens of `identityToken`).
   */
  appPrincipalId?: string;
  /** How long a new role assignment takes to reach Key Vault's data plane (ms, not scaled). Default 0. */
  rbacPropagationMs?: number;
}

export interface ArmEmulator {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The self-signed certificate to trust (`tlsOptions.ca` or NODE_EXTRA_CA_CERTS). */
  caCertPem: string;
  faults: { add(rule: FaultRule): string; clear(): void };
  operations(): OperationRecord[];
  resources(): object[];
  /**
   * Test-only: the custom data (decoded) a VM was written with; ARM never returns it on GET. Also
   * `GET /_emulator/custom-data/<vm id>` → `{ customData }`. Memory only: never in the state file.
   */
  customData(vmId: string): string | undefined;
  /**
   * Test-only: every VM run command executed (oldest first), protected parameters included, which
   * ARM never returns. Also `GET /_emulator/run-command-executions`. Memory only: never in the state file.
   */
  runCommandExecutions(): RunCommandExecution[];
  /** The packages deployed to Function Apps (`POST <scm>/api/publish`): site, size, hash, file names. */
  deployments(): DeployedPackage[];
  reset(): void;
  setTimeScale(scale: number): void;
  /** The latency model in use and its seed (print it: the same seed replays the same latencies). */
  latency(): { model: LatencyModelKind; seed: number; timeScale: number };
  /** Changes the latency model and/or seed (a new seed restarts the per-resource draw counts). */
  setLatencyModel(settings: { model?: LatencyModelKind; seed?: number }): void;
  /** Every operation's drawn latency, oldest first (`GET /_emulator/latencies`). */
  latencies(): LatencyDraw[];
  allocationFailures: { add(rule: AllocationFailureRule): string; clear(): void };
  /** The principal the app's static token acts as (`GET /_emulator/health` shows it too). */
  appPrincipalId: string;
  /**
   * Test-only, as IMDS answers a process on the VM: a token for one of the user-assigned identities
   * attached to `vmId` (also `POST /_emulator/identity-token` with `{ vmId, identityId, resource }`).
   * Throws (400 `invalid_request`, "Identity not found") for an identity the VM does not have.
   */
  identityToken(vmId: string, identityId: string, resource?: string): IdentityToken;
  addEventSubscriber(url: string): void;
  close(): Promise<void>;
}

export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
const VAULT_RESOURCE = 'https://vault.azure.net';
const SAVE_DEBOUNCE_MS = 50;

/** Starts an ARM emulator over HTTPS on loopback (certificate kept with the state file, else made for this run). */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const tls = await loadOrCreateTlsIdentity(options.stateFile);

  const latency = new LatencyModel(options.latencyMs, options.timeScale ?? 1, {
    ...(options.latencyModel !== undefined ? { model: options.latencyModel } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.latencyDistributions ? { distributions: options.latencyDistributions } : {}),
  });
  const armThrottleOf = (setting: 'azure' | ThrottleLimits): ArmThrottle =>
    new ArmThrottle(setting === 'azure' ? AZURE_THROTTLE_LIMITS : setting, () => latency.scale);
  const computeThrottleOf = (setting: ComputeThrottleSetting): ComputeThrottle =>
    new ComputeThrottle(computeLimitsOf(setting), () => latency.scale);
  let throttleSetting: string =
    options.throttle === undefined
      ? 'off'
      : typeof options.throttle === 'string'
        ? options.throttle
        : 'custom';
  let computeThrottleSetting: string =
    options.computeThrottle === undefined
      ? 'off'
      : typeof options.computeThrottle === 'string'
        ? options.computeThrottle
        : 'custom';
  const throttle = options.throttle ? armThrottleOf(options.throttle) : undefined;
  const computeThrottle = options.computeThrottle ? computeThrottleOf(options.computeThrottle) : undefined;
  const allocation = new AllocationFailures(options.allocationFailures);
  const events = new EventPublisher(options.eventSubscribers);
  const faults = new FaultInjector();
  const log: OperationRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let pollRetryAfterSeconds = options.pollRetryAfterSeconds;
  let saveTimer: NodeJS.Timeout | undefined;
  /** The state changed since it was last saved. */
  let dirty = false;
  let closed = false;

  const stateFile = options.stateFile;
  const saveNow = (): void => {
    if (!stateFile) return;
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    dirty = false;
    writeFileDurably(stateFile, JSON.stringify({ ...store.snapshot(), secrets: secrets.snapshot() }));
  };
  /** Before any answer: what the answer tells (a write accepted, an operation ended) is on disk. */
  const persist = (): void => {
    if (dirty) saveNow();
  };
  const markDirty = (): void => {
    if (!stateFile || closed) return;
    dirty = true;
    saveTimer ??= setTimeout(saveNow, SAVE_DEBOUNCE_MS);
  };

  const store: ArmStore = new ArmStore({
    latency,
    allocation,
    vcpuQuotaPerRegion: options.vcpuQuotaPerRegion ?? 1000,
    schedule: (ms, fn) => {
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    onEvent: (event) => events.publish([event]),
    onChange: () => markDirty(),
  });
  const appPrincipalId = options.appPrincipalId ?? DEFAULT_APP_PRINCIPAL_ID;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appPrincipalId)) {
    throw new Error(`appPrincipalId must be a GUID, got '${appPrincipalId}'`);
  }
  const rbacPropagationMs = options.rbacPropagationMs ?? 0;
  const secrets = new SecretsDataPlane(
    store,
    () => markDirty(),
    () => ({ appPrincipalId, rbacPropagationMs }),
  );

  if (stateFile && fs.existsSync(stateFile)) {
    let snapshot: StoreSnapshot & { secrets?: SecretsSnapshot };
    try {
      snapshot = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StoreSnapshot;
    } catch (err) {
      throw new Error(`ARM emulator state file '${stateFile}' is not valid JSON: ${String(err)}`, {
        cause: err,
      });
    }
    if (snapshot.version !== 1) {
      throw new Error(
        `ARM emulator state file '${stateFile}' has unknown version ${String(snapshot.version)}`,
      );
    }
    store.restore(snapshot);
    secrets.restore(snapshot.secrets);
  }
  const seed = (): void => {
    for (const g of options.resourceGroups ?? []) {
      store.seedResourceGroup(g.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID, g.name, g.location);
    }
  };
  seed();

  const clearTimers = (): void => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  const reset = (): void => {
    clearTimers();
    routerContext.throttle?.reset();
    routerContext.computeThrottle?.reset();
    store.clear();
    secrets.clear();
    faults.clear();
    allocation.clear();
    for (const rule of options.allocationFailures ?? []) allocation.add(rule);
    latency.reset();
    log.length = 0;
    seed();
    saveNow();
  };

  const control = (
    method: string,
    segments: string[],
    body: Json | undefined,
  ): Promise<{ status: number; body?: Json }> => {
    const route = `${method} ${segments.join('/').toLowerCase()}`;
    try {
      // Test-only: a VM's custom data, which ARM (and this emulator's ARM API) never returns.
      if (method === 'GET' && segments[0]?.toLowerCase() === 'custom-data') {
        const data = store.customDataOf(`/${segments.slice(1).join('/')}`);
        if (data === undefined) {
          return Promise.resolve({
            status: 404,
            body: { error: { code: 'NotFound', message: 'no custom data for that VM' } },
          });
        }
        return Promise.resolve({ status: 200, body: { customData: data } });
      }
      switch (route) {
        case 'GET health':
          return Promise.resolve({
            status: 200,
            body: {
              status: 'ok',
              timeScale: latency.scale,
              resources: store.allResources().length,
              appPrincipalId,
            },
          });
        case 'GET run-command-executions':
          return Promise.resolve({
            status: 200,
            body: { value: store.runCommandExecutions() as unknown as Json[] },
          });
        case 'GET resources':
          return Promise.resolve({ status: 200, body: { value: store.allResources() } });
        case 'GET deployments':
          return Promise.resolve({
            status: 200,
            body: { value: deployedPackages(store) as unknown as Json[] },
          });
        case 'GET operations':
          return Promise.resolve({ status: 200, body: { value: log as unknown as Json[] } });
        case 'POST reset':
          reset();
          return Promise.resolve({ status: 204 });
        case 'GET faults':
          return Promise.resolve({ status: 200, body: { value: faults.list() as unknown as Json[] } });
        case 'POST faults':
          return Promise.resolve({ status: 201, body: { id: faults.add(body) } });
        case 'DELETE faults':
          faults.clear();
          return Promise.resolve({ status: 204 });
        case 'GET allocation-failures':
          return Promise.resolve({
            status: 200,
            body: { value: allocation.list() as unknown as Json[] },
          });
        case 'POST allocation-failures':
          return Promise.resolve({ status: 201, body: { id: allocation.add(body) } });
        case 'DELETE allocation-failures':
          allocation.clear();
          return Promise.resolve({ status: 204 });
        case 'GET latencies':
          return Promise.resolve({
            status: 200,
            body: {
              model: latency.model,
              seed: latency.seed,
              timeScale: latency.scale,
              value: latency.draws() as unknown as Json[],
            },
          });
        case 'GET latency-model':
          return Promise.resolve({ status: 200, body: latencyModelBody() });
        case 'PUT settings': {
          const settings = parseSettings(body);
          if (settings.timeScale !== undefined) latency.setTimeScale(settings.timeScale);
          if (settings.vcpuQuotaPerRegion !== undefined) store.setVcpuQuota(settings.vcpuQuotaPerRegion);
          if (settings.pollRetryAfterSeconds !== undefined) {
            pollRetryAfterSeconds = settings.pollRetryAfterSeconds ?? undefined;
          }
          if (settings.latencyModel !== undefined) latency.setModel(settings.latencyModel);
          if (settings.seed !== undefined) latency.setSeed(settings.seed);
          if (settings.throttle !== undefined) {
            throttleSetting = settings.throttle;
            if (settings.throttle === 'off') delete routerContext.throttle;
            else routerContext.throttle = armThrottleOf(settings.throttle);
          }
          if (settings.computeThrottle !== undefined) {
            computeThrottleSetting = settings.computeThrottle;
            if (settings.computeThrottle === 'off') delete routerContext.computeThrottle;
            else routerContext.computeThrottle = computeThrottleOf(settings.computeThrottle);
          }
          return Promise.resolve({ status: 200, body: currentSettings() });
        }
        case 'GET settings':
          return Promise.resolve({ status: 200, body: currentSettings() });
        case 'POST identity-token': {
          const input = (body as JsonObject | undefined) ?? {};
          const { vmId, identityId, resource } = input;
          if (typeof vmId !== 'string' || typeof identityId !== 'string') {
            throw new Error('body.vmId and body.identityId must be strings');
          }
          try {
            const token = issueIdentityToken(
              store,
              vmId,
              identityId,
              typeof resource === 'string' ? resource : VAULT_RESOURCE,
            );
            return Promise.resolve({ status: 200, body: { ...token } });
          } catch (err) {
            if (err instanceof ArmError) {
              // IMDS's error shape.
              return Promise.resolve({
                status: err.status,
                body: { error: err.code, error_description: err.message },
              });
            }
            throw err;
          }
        }
        case 'POST event-subscribers': {
          const url = (body as JsonObject | undefined)?.url;
          if (typeof url !== 'string') throw new Error('body.url must be a string');
          events.add(url);
          return Promise.resolve({ status: 204 });
        }
        default:
          return Promise.resolve({
            status: 404,
            body: {
              error: {
                code: 'NotFound',
                message: `No emulator control route ${method} /_emulator/${segments.join('/')}`,
              },
            },
          });
      }
    } catch (err) {
      return Promise.resolve({
        status: 400,
        body: {
          error: { code: 'InvalidRequest', message: err instanceof Error ? err.message : String(err) },
        },
      });
    }
  };
  const currentSettings = (): Json => ({
    timeScale: latency.scale,
    vcpuQuotaPerRegion: store.vcpuQuota,
    pollRetryAfterSeconds: pollRetryAfterSeconds ?? null,
    latencyModel: latency.model,
    seed: latency.seed,
    throttle: throttleSetting,
    computeThrottle: computeThrottleSetting,
  });
  const latencyModelBody = (): Json => ({
    model: latency.model,
    seed: latency.seed,
    timeScale: latency.scale,
    types: Object.fromEntries(
      [resourceGroups, ...PROVIDERS].map(({ type }) => [
        type,
        {
          fixedMs: { write: latency.fixedMs(type, 'write'), delete: latency.fixedMs(type, 'delete') },
          write: { ...latency.distribution(type, 'write') },
          delete: { ...latency.distribution(type, 'delete') },
        },
      ]),
    ),
  });

  const routerContext: RouterContext = {
    store,
    secrets,
    faults,
    log,
    persist,
    pollRetryAfterSeconds: () => pollRetryAfterSeconds,
    control,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...(throttle ? { throttle } : {}),
    ...(computeThrottle ? { computeThrottle } : {}),
  };
  const server: Server = createServer(
    { key: tls.key, cert: tls.cert },
    createArmRequestHandler(routerContext),
  );
  // SDK clients keep connections alive; idle sockets must not hold the process open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  store.setBaseUrl(`https://127.0.0.1:${port}`);

  return {
    url: `https://127.0.0.1:${port}`,
    caCertPem: tls.cert,
    faults: { add: (rule) => faults.add(rule), clear: () => faults.clear() },
    operations: () => [...log],
    resources: () => store.allResources(),
    customData: (vmId: string) => store.customDataOf(vmId),
    runCommandExecutions: () => store.runCommandExecutions(),
    deployments: () => deployedPackages(store),
    reset,
    setTimeScale: (scale) => latency.setTimeScale(scale),
    latency: () => ({ model: latency.model, seed: latency.seed, timeScale: latency.scale }),
    setLatencyModel: (settings) => {
      if (settings.model !== undefined) latency.setModel(settings.model);
      if (settings.seed !== undefined) latency.setSeed(settings.seed);
    },
    latencies: () => latency.draws(),
    allocationFailures: { add: (rule) => allocation.add(rule), clear: () => allocation.clear() },
    appPrincipalId,
    identityToken: (vmId, identityId, resource = VAULT_RESOURCE) =>
      issueIdentityToken(store, vmId, identityId, resource),
    addEventSubscriber: (url) => events.add(url),
    close: async () => {
      if (closed) return;
      store.settle();
      closed = true;
      clearTimers();
      persist();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await events.close();
    },
  };
}
