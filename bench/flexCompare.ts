/**
 * Worker pools as single VMs or as one Flexible scale set per zone: the same worker set built in one
 * VNet/subnet straight through the SDK clients against the ARM emulator, with ARM's and Compute's
 * request limits on and the heavy-tailed, seeded latency model. Two ways, each on a fresh emulator:
 *
 *  (a) single VMs: per node a NIC, then its VM once the NIC is there; every write goes through a
 *      client-side budget under ARM's write limit (SDK retries honour Retry-After when ARM still
 *      answers 429); provisioning states are read with one list call per type per poll interval.
 *  (b) Flexible scale sets: one set per zone with capacity = that zone's count, each member a plain
 *      VM with its own NIC; the bench polls the sets. Then a per-node scale-in of 3 nodes (DELETE of
 *      3 chosen member VMs) and a check that every node is a plain VM with its own NIC, no public IP.
 *
 * Printed per case: makespan; makespan ÷ its own bound (the larger of the slowest node's drawn
 * latencies — NIC then VM — and writes ÷ ARM's sustained write rate); ARM writes, reads and 429s;
 * failed nodes; the load average. Times are Azure seconds (real time ÷ time scale).
 *
 * Usage: npm run bench:flex -- [--workers 297,997] [--time-scale 0.25] [--seed N] [--poll-s 2]
 *                              [--zonal-failures N] [--only vms|flex] [--json]
 */
import * as os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import {
  type ArmEmulator,
  AZURE_THROTTLE_LIMITS,
  DEFAULT_SUBSCRIPTION_ID,
  flexMemberName,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';

const RG = 'rg-flex';
const LOCATION = 'eastus';
const ZONES = ['1', '2', '3'];
const VM_SIZE = 'Standard_D2s_v5';
const VM_TYPE = 'Microsoft.Compute/virtualMachines';
const NIC_TYPE = 'Microsoft.Network/networkInterfaces';
const WRITE_RATE = AZURE_THROTTLE_LIMITS.writes.perSecond;
const WRITE_BURST = AZURE_THROTTLE_LIMITS.writes.burst;

interface Options {
  workers: number[];
  timeScale: number;
  seed: number;
  pollS: number;
  zonalFailures: number;
  only: 'vms' | 'flex' | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    workers: [297, 997],
    timeScale: 0.25,
    seed: Math.floor(Math.random() * 2 ** 31),
    pollS: 2,
    zonalFailures: 0,
    only: undefined,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') {
      options.json = true;
      continue;
    }
    const raw = argv[++i] ?? '';
    if (arg === '--workers') {
      options.workers = raw.split(',').map((w) => Number.parseInt(w, 10));
      if (options.workers.some((w) => !(w > 0 && w <= 3000)))
        throw new Error(`--workers: positive counts up to 3000, comma-separated; got '${raw}'`);
      continue;
    }
    if (arg === '--only') {
      if (raw !== 'vms' && raw !== 'flex') throw new Error(`--only: 'vms' or 'flex', got '${raw}'`);
      options.only = raw;
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid value '${raw}' for ${arg}`);
    if (arg === '--time-scale' && value > 0) options.timeScale = value;
    else if (arg === '--seed' && Number.isInteger(value)) options.seed = value;
    else if (arg === '--poll-s' && value > 0) options.pollS = value;
    else if (arg === '--zonal-failures' && Number.isInteger(value)) options.zonalFailures = value;
    else
      throw new Error(`unknown or invalid argument '${arg} ${raw}' (see the header of bench/flexCompare.ts)`);
  }
  return options;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const staticToken: TokenCredential = {
  getToken: () => Promise.resolve({ token: 'bench', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/**
 * A client-side token bucket in Azure time (refill `perSecond` ÷ time scale per real second): the
 * bench's own budget, kept a little under ARM's so ARM seldom has to answer 429.
 */
class Budget {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly timeScale: number,
  ) {
    this.tokens = burst;
  }
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.last) / 1000) * (this.perSecond / this.timeScale),
      );
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.max(1, ((1 - this.tokens) / (this.perSecond / this.timeScale)) * 1000));
    }
  }
}

interface CaseResult {
  approach: 'single VMs' | 'Flex scale set per zone';
  workers: number;
  makespanS: number;
  criticalPathS: number;
  writeBoundS: number;
  ratio: number;
  writes: number;
  reads: number;
  throttled: number;
  throttledBy: Record<string, number>;
  failedNodes: number;
  nodes: number;
  loadAverage: [number, number];
  eventLoopP99Ms: number;
  scaleIn?: { nodes: number; seconds: number; writes: number; capacityAfter: number; nicsAfter: number };
  plainVmsOwnNicNoPublicIp?: boolean;
}

interface Clients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
}

function clientsFor(emulator: ArmEmulator): Clients {
  const clientOptions = {
    endpoint: emulator.url,
    credentials: { scopes: [`${emulator.url}/.default`] },
    tlsOptions: { ca: emulator.caCertPem },
    // The bench retries 429s itself, through its budget (see runSingleVms); no hidden SDK retries.
    retryOptions: { maxRetries: 0 },
  };
  return {
    compute: new ComputeManagementClient(staticToken, DEFAULT_SUBSCRIPTION_ID, clientOptions),
    network: new NetworkManagementClient(staticToken, DEFAULT_SUBSCRIPTION_ID, clientOptions),
  };
}

const subnetId = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/workers`;

const setId = (zone: string) =>
  `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/wrk-z${zone}`;

function zoneCounts(workers: number): number[] {
  return ZONES.map((_, i) => Math.floor(workers / ZONES.length) + (i < workers % ZONES.length ? 1 : 0));
}

const osBase = {
  adminUsername: 'azureuser',
  customData: Buffer.from('#cloud-config\n# worker bootstrap\n').toString('base64'),
  linuxConfiguration: {
    disablePasswordAuthentication: true,
    ssh: { publicKeys: [{ path: '/home/azureuser/.ssh/authorized_keys', keyData: 'ssh-ed25519 AAAAbench' }] },
  },
};
const storageProfile = {
  imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
  osDisk: { createOption: 'FromImage', managedDisk: { storageAccountType: 'Premium_LRS' } },
};

async function startEmulator(options: Options): Promise<{ emulator: ArmEmulator; clients: Clients }> {
  const emulator = await startArmEmulator({
    port: 0,
    timeScale: options.timeScale,
    latencyModel: 'heavy-tail',
    seed: options.seed,
    throttle: 'azure',
    computeThrottle: 'azure',
    vcpuQuotaPerRegion: 100_000,
    resourceGroups: [{ name: RG, location: LOCATION }],
    ...(options.zonalFailures > 0
      ? {
          allocationFailures: [
            { code: 'ZonalAllocationFailed' as const, zone: '2', count: options.zonalFailures },
          ],
        }
      : {}),
  });
  const clients = clientsFor(emulator);
  // The network is there before the clock starts (both ways need the same one).
  await clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    'vnet',
    {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      subnets: [{ name: 'workers', addressPrefix: '10.0.0.0/20' }],
    },
    { updateIntervalInMs: 20 },
  );
  return { emulator, clients };
}

/** Counts what the emulator saw after `since` (epoch ms): ARM writes, reads and 429s. */
function requestsSince(
  emulator: ArmEmulator,
  since: number,
): { writes: number; reads: number; throttled: number; throttledBy: Record<string, number> } {
  const log = emulator.operations().filter((r) => r.time >= since);
  return {
    writes: log.filter((r) => r.write).length,
    reads: log.filter((r) => !r.write).length,
    throttled: log.filter((r) => r.status === 429).length,
    throttledBy: log
      .filter((r) => r.status === 429)
      .reduce<Record<string, number>>((acc, r) => {
        const type = /providers\/([^/]+\/[^/]+)/.exec(r.path)?.[1]?.split('/')[1] ?? r.path;
        const key = `${r.method} ${type}`;
        acc[key] = (acc[key] ?? 0) + 1;
        return acc;
      }, {}),
  };
}

/** The slowest node's drawn latencies: its NIC's, then its VM's (ms at the run's time scale). */
function criticalPathMs(emulator: ArmEmulator, since: number, vmNicPairs: Map<string, string[]>): number {
  const draws = emulator.latencies().filter((d) => d.startedAt >= since && d.kind === 'write');
  const byId = new Map(draws.map((d) => [d.id.toLowerCase(), d.durationMs]));
  let worst = 0;
  for (const [vm, nics] of vmNicPairs) {
    const nicMs = Math.max(0, ...nics.map((n) => byId.get(n.toLowerCase()) ?? 0));
    worst = Math.max(worst, nicMs + (byId.get(vm.toLowerCase()) ?? 0));
  }
  return worst;
}

/**
 * How long to wait before trying a request again: what a 429 asks (x-ms-retry-after-ms, else
 * Retry-After), a moment after a dropped connection or a 5xx; undefined for errors to keep.
 */
function retryAfterMs(err: unknown): number | undefined {
  const e = err as {
    statusCode?: number;
    code?: string;
    response?: { headers?: { get(name: string): string | undefined } };
  };
  if (e.statusCode === 429) {
    const exact = Number(e.response?.headers?.get('x-ms-retry-after-ms'));
    if (Number.isFinite(exact) && exact >= 0) return exact;
    const seconds = Number(e.response?.headers?.get('retry-after'));
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
  }
  if (
    (e.statusCode ?? 0) >= 500 ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(e.code ?? '')
  ) {
    return 100;
  }
  return undefined;
}

/** Runs `call` until it answers, waiting what retryAfterMs says between tries (at most 20). */
async function retrying<T>(call: () => Promise<T>, beforeRetry?: () => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const waitMs = retryAfterMs(err);
      if (waitMs === undefined || attempt >= 20) throw err;
      await sleep(waitMs);
      await beforeRetry?.();
    }
  }
}

/** Every item of a list call (one page on the emulator), tried again on 429s and dropped connections. */
function listAll<T>(pages: () => AsyncIterable<T>): Promise<T[]> {
  return retrying(async () => {
    const out: T[] = [];
    for await (const item of pages()) out.push(item);
    return out;
  });
}

async function runSingleVms(options: Options, workers: number): Promise<CaseResult> {
  const { emulator, clients } = await startEmulator(options);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    // Under ARM's: requests taken together may reach ARM some time apart on a loaded machine.
    const budget = new Budget(WRITE_BURST * 0.75, WRITE_RATE * 0.95, options.timeScale);
    const counts = zoneCounts(workers);
    const nodes = ZONES.flatMap((zone, z) =>
      // Named as the scale sets of (b) name their members, so that each node draws the same latencies
      // both ways (the draw is keyed on the seed and the resource id): a paired comparison.
      Array.from({ length: counts[z] ?? 0 }, (_, i) => ({ zone, name: flexMemberName(setId(zone), i) })),
    );
    const pollMs = options.pollS * 1000 * options.timeScale;
    const vmNics = new Map<string, string[]>();
    const nicId = (n: string) =>
      `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/${n}-nic`;
    const vmId = (n: string) =>
      `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${n}`;
    for (const n of nodes) vmNics.set(vmId(n.name), [nicId(n.name)]);

    loop.enable();
    const t0 = Date.now();
    const nicQueue = [...nodes];
    const vmQueue: typeof nodes = [];
    const nicState = new Map<string, string>();
    const vmState = new Map<string, string>();
    const sent = new Set<string>();
    let inFlight = 0;

    /**
     * Sends one PUT (its token already taken) and returns once ARM accepted it. A 429 waits what
     * Retry-After says and then takes a budget token again, so retries stay inside the budget too.
     */
    const put = async (kind: 'nic' | 'vm', node: (typeof nodes)[number]): Promise<void> => {
      inFlight++;
      try {
        await retrying(
          async () => {
            if (kind === 'nic') {
              await clients.network.networkInterfaces.beginCreateOrUpdate(RG, `${node.name}-nic`, {
                location: LOCATION,
                ipConfigurations: [{ name: 'ip', subnet: { id: subnetId } }],
              });
            } else {
              await clients.compute.virtualMachines.beginCreateOrUpdate(RG, node.name, {
                location: LOCATION,
                zones: [node.zone],
                hardwareProfile: { vmSize: VM_SIZE },
                osProfile: { ...osBase, computerName: node.name },
                storageProfile,
                networkProfile: { networkInterfaces: [{ id: nicId(node.name), primary: true }] },
              });
            }
          },
          () => budget.take(),
        );
      } catch {
        // Refused for good: the node failed.
        (kind === 'nic' ? nicState : vmState).set(node.name, 'Failed');
      } finally {
        inFlight--;
      }
    };

    // Writes, one budget token each: VMs whose NIC is ready first (they are on the critical path),
    // then NICs.
    const writer = (async () => {
      for (;;) {
        if (vmQueue.length === 0 && nicQueue.length === 0) {
          if (sent.size >= nodes.length) return;
          await sleep(Math.max(1, pollMs / 4));
          continue;
        }
        await budget.take();
        const vm = vmQueue.shift();
        if (vm) void put('vm', vm);
        else {
          const nic = nicQueue.shift();
          if (nic) void put('nic', nic);
        }
      }
    })();

    // Reads: one list per type per poll interval.
    const terminal = (s: string | undefined) => s === 'Succeeded' || s === 'Failed';
    for (;;) {
      await sleep(pollMs);
      const nicList = await listAll(() => clients.network.networkInterfaces.list(RG));
      for (const nic of nicList)
        nicState.set((nic.name ?? '').replace(/-nic$/, ''), nic.provisioningState ?? '');
      for (const n of nodes) {
        if (!sent.has(n.name) && nicState.get(n.name) === 'Succeeded') {
          sent.add(n.name);
          vmQueue.push(n);
        } else if (!sent.has(n.name) && nicState.get(n.name) === 'Failed') {
          sent.add(n.name);
          vmState.set(n.name, 'Failed');
        }
      }
      const vmList = await listAll(() => clients.compute.virtualMachines.list(RG));
      for (const vm of vmList) vmState.set(vm.name ?? '', vm.provisioningState ?? '');
      if (nodes.every((n) => terminal(vmState.get(n.name))) && inFlight === 0) break;
    }
    const makespanMs = Date.now() - t0;
    await writer;
    loop.disable();
    const requests = requestsSince(emulator, t0);
    const critical = criticalPathMs(emulator, t0, vmNics);
    const writeBoundMs = (requests.writes / WRITE_RATE) * 1000 * options.timeScale;
    return {
      approach: 'single VMs',
      workers,
      makespanS: makespanMs / 1000 / options.timeScale,
      criticalPathS: critical / 1000 / options.timeScale,
      writeBoundS: writeBoundMs / 1000 / options.timeScale,
      ratio: makespanMs / Math.max(critical, writeBoundMs),
      ...requests,
      failedNodes: nodes.filter((n) => vmState.get(n.name) !== 'Succeeded').length,
      nodes: nodes.length,
      loadAverage: [os.loadavg()[0] ?? 0, os.loadavg()[1] ?? 0],
      eventLoopP99Ms: loop.percentile(99) / 1e6,
    };
  } finally {
    await emulator.close();
  }
}

async function runFlex(options: Options, workers: number): Promise<CaseResult> {
  const { emulator, clients } = await startEmulator(options);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    const counts = zoneCounts(workers);
    const pollMs = options.pollS * 1000 * options.timeScale;
    const sets = ZONES.map((zone) => `wrk-z${zone}`);
    loop.enable();
    const t0 = Date.now();
    await Promise.all(
      ZONES.map((zone, z) =>
        retrying(() =>
          clients.compute.virtualMachineScaleSets.beginCreateOrUpdate(RG, `wrk-z${zone}`, {
            location: LOCATION,
            zones: [zone],
            sku: { name: VM_SIZE, capacity: counts[z] ?? 0 },
            orchestrationMode: 'Flexible',
            platformFaultDomainCount: 1,
            virtualMachineProfile: {
              osProfile: { ...osBase, computerNamePrefix: `wrk${zone}` },
              storageProfile,
              networkProfile: {
                networkApiVersion: '2020-11-01',
                networkInterfaceConfigurations: [
                  {
                    name: 'nic',
                    primary: true,
                    deleteOption: 'Delete',
                    ipConfigurations: [{ name: 'ip', primary: true, subnet: { id: subnetId } }],
                  },
                ],
              },
            },
          }),
        ),
      ),
    );
    // One list call per poll interval reads every set's state (a GET per set and interval would
    // soon run into Compute's per-set LowCostGetVMScaleSet bucket: 12 a minute sustained).
    const setState = new Map<string, string>();
    for (;;) {
      await sleep(pollMs);
      for (const set of await listAll(() => clients.compute.virtualMachineScaleSets.list(RG))) {
        setState.set(set.name ?? '', set.provisioningState ?? '');
      }
      if (sets.every((s) => setState.get(s) === 'Succeeded' || setState.get(s) === 'Failed')) break;
    }
    const makespanMs = Date.now() - t0;
    loop.disable();
    const requests = requestsSince(emulator, t0);

    // What was built: plain VMs, each with a NIC of its own, none with a public IP.
    const vms = await listAll(() => clients.compute.virtualMachines.list(RG));
    const nics = await listAll(() => clients.network.networkInterfaces.list(RG));
    const nicById = new Map(nics.map((n) => [(n.id ?? '').toLowerCase(), n]));
    const vmNics = new Map<string, string[]>();
    const usedNics = new Set<string>();
    let plain = vms.length === workers;
    for (const vm of vms) {
      const ids = (vm.networkProfile?.networkInterfaces ?? []).map((n) => (n.id ?? '').toLowerCase());
      vmNics.set(vm.id ?? '', ids);
      if (vm.type !== VM_TYPE || !vm.virtualMachineScaleSet?.id || ids.length !== 1) plain = false;
      for (const id of ids) {
        const nic = nicById.get(id);
        if (!nic || nic.type !== NIC_TYPE || usedNics.has(id)) plain = false;
        usedNics.add(id);
        if ((nic?.ipConfigurations ?? []).some((c) => c.publicIPAddress !== undefined)) plain = false;
      }
    }
    const critical = criticalPathMs(emulator, t0, vmNics);
    const writeBoundMs = (requests.writes / WRITE_RATE) * 1000 * options.timeScale;
    const failedNodes =
      vms.filter((v) => v.provisioningState !== 'Succeeded').length + (workers - vms.length);

    // Per-node scale-in: three chosen nodes (one per zone) deleted as VMs; their NICs go with them.
    const victims = ZONES.map((zone) =>
      vms.find((v) => v.zones?.[0] === zone && v.provisioningState === 'Succeeded'),
    )
      .filter((v) => v !== undefined)
      .map((v) => v.name ?? '');
    const s0 = Date.now();
    await Promise.all(
      victims.map((name) => retrying(() => clients.compute.virtualMachines.beginDelete(RG, name))),
    );
    for (;;) {
      await sleep(pollMs);
      const left = new Set(
        (await listAll(() => clients.compute.virtualMachines.list(RG))).map((v) => v.name),
      );
      if (victims.every((v) => !left.has(v))) break;
    }
    const scaleInMs = Date.now() - s0;
    let capacityAfter = 0;
    for (const name of sets)
      capacityAfter +=
        (await retrying(() => clients.compute.virtualMachineScaleSets.get(RG, name))).sku?.capacity ?? 0;
    const nicsAfter = (await listAll(() => clients.network.networkInterfaces.list(RG))).length;
    const scaleInRequests = requestsSince(emulator, s0);

    return {
      approach: 'Flex scale set per zone',
      workers,
      makespanS: makespanMs / 1000 / options.timeScale,
      criticalPathS: critical / 1000 / options.timeScale,
      writeBoundS: writeBoundMs / 1000 / options.timeScale,
      ratio: makespanMs / Math.max(critical, writeBoundMs),
      ...requests,
      failedNodes,
      nodes: vms.length,
      loadAverage: [os.loadavg()[0] ?? 0, os.loadavg()[1] ?? 0],
      eventLoopP99Ms: loop.percentile(99) / 1e6,
      scaleIn: {
        nodes: victims.length,
        seconds: scaleInMs / 1000 / options.timeScale,
        writes: scaleInRequests.writes,
        capacityAfter,
        nicsAfter,
      },
      plainVmsOwnNicNoPublicIp: plain,
    };
  } finally {
    await emulator.close();
  }
}

function print(r: CaseResult): void {
  const f = (n: number, d = 0) => n.toFixed(d);
  console.log(
    `${r.approach.padEnd(24)} ${String(r.workers).padStart(4)} workers: makespan ${f(r.makespanS)} s, ` +
      `÷ bound ${f(r.ratio, 3)} (slowest node ${f(r.criticalPathS)} s, writes ÷ ${WRITE_RATE}/s ${f(r.writeBoundS)} s); ` +
      `ARM writes ${r.writes}, reads ${r.reads}, 429s ${r.throttled}${r.throttled > 0 ? ` ${JSON.stringify(r.throttledBy)}` : ''}; failed nodes ${r.failedNodes}/${r.workers}; ` +
      `load ${f(r.loadAverage[0], 2)}/${f(r.loadAverage[1], 2)}, event-loop p99 ${f(r.eventLoopP99Ms)} ms`,
  );
  if (r.scaleIn) {
    console.log(
      `${''.padEnd(24)} per-node scale-in of ${r.scaleIn.nodes}: ${f(r.scaleIn.seconds)} s, ${r.scaleIn.writes} writes; ` +
        `capacity after ${r.scaleIn.capacityAfter} (${r.workers - r.scaleIn.nodes} expected), NICs after ${r.scaleIn.nicsAfter}; ` +
        `every node a plain VM with its own NIC and no public IP: ${r.plainVmsOwnNicNoPublicIp ? 'yes' : 'NO'}`,
    );
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!options.json) {
    console.log(
      `flexCompare: seed ${options.seed} (replay with --seed ${options.seed}), time scale ${options.timeScale}, ` +
        `heavy-tail latency, ARM + Compute limits ('azure'), poll every ${options.pollS} s, ${options.zonalFailures} zonal allocation failures in zone 2; ` +
        `load average at start ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join('/')}, ${os.cpus().length} cores`,
    );
  }
  const results: CaseResult[] = [];
  for (const workers of options.workers) {
    for (const approach of ['vms', 'flex'] as const) {
      if (options.only && options.only !== approach) continue;
      const result =
        approach === 'vms' ? await runSingleVms(options, workers) : await runFlex(options, workers);
      results.push(result);
      if (!options.json) print(result);
    }
  }
  if (options.json)
    console.log(JSON.stringify({ seed: options.seed, timeScale: options.timeScale, results }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
