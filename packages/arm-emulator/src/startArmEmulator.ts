import * as fs from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { createArmRequestHandler, type OperationRecord, parseSettings } from './armRouter';
import { ArmStore, type StoreSnapshot } from './armStore';
import { ArmThrottle, AZURE_THROTTLE_LIMITS, type ThrottleLimits } from './armThrottle';
import { EventPublisher } from './eventPublisher';
import { FaultInjector, type FaultRule } from './faultInjector';
import type { Json, JsonObject } from './json';
import { LatencyModel } from './latencyModel';
import { writeFileDurably } from './store/stateFile';
import { loadOrCreateTlsIdentity } from './tlsIdentity';

export interface ArmEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Multiplies every latency; 0 = operations finish at once. Default 1. */
  timeScale?: number;
  /** Latency at time scale 1 per ARM type (any case); `<type>:delete` for deletes only. */
  latencyMs?: Partial<Record<string, number>>;
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
}

export interface ArmEmulator {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The self-signed certificate to trust (`tlsOptions.ca` or NODE_EXTRA_CA_CERTS). */
  caCertPem: string;
  faults: { add(rule: FaultRule): string; clear(): void };
  operations(): OperationRecord[];
  resources(): object[];
  reset(): void;
  setTimeScale(scale: number): void;
  addEventSubscriber(url: string): void;
  close(): Promise<void>;
}

export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
const SAVE_DEBOUNCE_MS = 50;

/** Starts an ARM emulator over HTTPS on loopback (certificate kept with the state file, else made for this run). */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const tls = await loadOrCreateTlsIdentity(options.stateFile);

  const latency = new LatencyModel(options.latencyMs, options.timeScale ?? 1);
  const throttle = options.throttle
    ? new ArmThrottle(
        options.throttle === 'azure' ? AZURE_THROTTLE_LIMITS : options.throttle,
        () => latency.scale,
      )
    : undefined;
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
    writeFileDurably(stateFile, JSON.stringify(store.snapshot()));
  };
  /** Before any answer: what the answer tells (a write accepted, an operation ended) is on disk. */
  const persist = (): void => {
    if (dirty) saveNow();
  };

  const store: ArmStore = new ArmStore({
    latency,
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
    onChange: () => {
      if (!stateFile || closed) return;
      dirty = true;
      saveTimer ??= setTimeout(saveNow, SAVE_DEBOUNCE_MS);
    },
  });

  if (stateFile && fs.existsSync(stateFile)) {
    let snapshot: StoreSnapshot;
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
    throttle?.reset();
    store.clear();
    faults.clear();
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
      switch (route) {
        case 'GET health':
          return Promise.resolve({
            status: 200,
            body: { status: 'ok', timeScale: latency.scale, resources: store.allResources().length },
          });
        case 'GET resources':
          return Promise.resolve({ status: 200, body: { value: store.allResources() } });
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
        case 'PUT settings': {
          const settings = parseSettings(body);
          if (settings.timeScale !== undefined) latency.setTimeScale(settings.timeScale);
          if (settings.vcpuQuotaPerRegion !== undefined) store.setVcpuQuota(settings.vcpuQuotaPerRegion);
          if (settings.pollRetryAfterSeconds !== undefined) {
            pollRetryAfterSeconds = settings.pollRetryAfterSeconds ?? undefined;
          }
          return Promise.resolve({ status: 200, body: currentSettings() });
        }
        case 'GET settings':
          return Promise.resolve({ status: 200, body: currentSettings() });
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
  });

  const server: Server = createServer(
    { key: tls.key, cert: tls.cert },
    createArmRequestHandler({
      store,
      faults,
      log,
      persist,
      pollRetryAfterSeconds: () => pollRetryAfterSeconds,
      control,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(throttle ? { throttle } : {}),
    }),
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

  return {
    url: `https://127.0.0.1:${port}`,
    caCertPem: tls.cert,
    faults: { add: (rule) => faults.add(rule), clear: () => faults.clear() },
    operations: () => [...log],
    resources: () => store.allResources(),
    reset,
    setTimeScale: (scale) => latency.setTimeScale(scale),
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
