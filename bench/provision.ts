/**
 * Provisioning benchmark: a 3 control-plane + 30 worker IaaS cluster over 3 zones, created through the
 * app's HTTP API on the local host against the ARM emulator's latency model.
 *
 * Prints, from one run (absolute times on a shared machine mean little; ratios do):
 *  - makespan / critical-path bound of the plan's dependency graph (target ≤ 1.05),
 *  - the same bound for a serial apply (what one-resource-at-a-time tooling would take),
 *  - ARM writes on first apply (target: exactly the plan's owned resource count) and on re-apply (target 0),
 *  - delete makespan / its own critical-path bound (reverse graph).
 *
 * `--throttle` makes the emulator throttle like ARM (the critical-path bound ignores throttling, so the
 * ratio then includes what ARM's write limits cost).
 *
 * `--clusters N` provisions N such clusters at once in the one subscription (slower ÷ faster printed);
 * `--create-only` skips the re-apply and the delete. Also printed: ARM reads per node, 429 answers, and the
 * orchestrator's work per node (history events, episodes, time in episodes = replay + new work).
 *
 * Usage: npm run bench -- [--time-scale 0.25] [--workers 30] [--poll-ms 50] [--json] [--trace] [--throttle]
 *   [--clusters 1] [--create-only]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  DEFAULT_LATENCY_MS,
  DEFAULT_SUBSCRIPTION_ID,
  type OperationRecord,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';
import { startHost } from '@azure-cluster-provisioner/functions-host';

import { planCluster, planCriticalPath } from '../src/cluster/plan';
import type { Plan, PlannedResource } from '../src/cluster/plan/types';
import { parseClusterSpec } from '../src/cluster/validate';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'bench-function-key';
const RESOURCE_GROUP = 'rg-bench';

interface Options {
  timeScale: number;
  workers: number;
  pollMs: number;
  json: boolean;
  trace: boolean;
  throttle: boolean;
  /** Clusters provisioned at once in the one subscription (each in its own resource group). */
  clusters: number;
  /** Skip the re-apply and the delete (the large cases: their create is what is measured). */
  createOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    timeScale: 0.25,
    workers: 30,
    pollMs: 50,
    json: false,
    trace: false,
    throttle: false,
    clusters: 1,
    createOnly: false,
  };
  const numeric = new Set(['--time-scale', '--workers', '--poll-ms', '--clusters']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') {
      options.json = true;
      continue;
    }
    if (arg === '--trace') {
      options.trace = true;
      continue;
    }
    if (arg === '--throttle') {
      options.throttle = true;
      continue;
    }
    if (arg === '--create-only') {
      options.createOnly = true;
      continue;
    }
    const value = Number(argv[++i]);
    if (!numeric.has(arg) || !(value > 0)) {
      throw new Error(`unknown or invalid argument '${arg}' (see the header of bench/provision.ts)`);
    }
    if (arg === '--time-scale') options.timeScale = value;
    if (arg === '--poll-ms') options.pollMs = value;
    if (arg === '--workers') options.workers = Math.floor(value);
    if (arg === '--clusters') options.clusters = Math.floor(value);
  }
  return options;
}

function benchSpec(workers: number, name = 'bench', resourceGroup = RESOURCE_GROUP): Record<string, unknown> {
  const half = Math.floor(workers / 2);
  return {
    type: 'iaas',
    name,
    resourceGroup,
    location: 'eastus',
    kubernetesVersion: '1.33.2',
    network: {
      vnet: { cidr: '10.0.0.0/16' },
      controlPlaneSubnet: { cidr: '10.0.0.0/24' },
      workerSubnet: { cidr: '10.0.16.0/20' },
    },
    controlPlane: { count: 3, vmSize: 'Standard_D4s_v5', zones: ['1', '2', '3'] },
    nodePools: [
      { name: 'general', count: workers - half, vmSize: 'Standard_D4s_v5', zones: ['1', '2', '3'] },
      { name: 'batch', count: half, vmSize: 'Standard_D2s_v5', zones: ['1', '2', '3'] },
    ].filter((pool) => pool.count > 0),
    ssh: {
      adminUsername: 'azureuser',
      publicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa5xZdozvfsW+V/nEdyuA1c+yvb99OQpv+dj3gw9/+S bench@example',
    },
  };
}

function latencyMs(kind: 'write' | 'delete', timeScale: number): (r: PlannedResource) => number {
  return (r) => (DEFAULT_LATENCY_MS[r.type.toLowerCase()]?.[kind] ?? 1_000) * timeScale;
}

/** The delete graph is the create graph reversed: a resource goes once everything that needs it is gone. */
function reversed(plan: Plan): Plan {
  const owned = plan.resources.filter((r) => r.owned);
  const ids = new Set(owned.map((r) => r.id));
  return {
    ...plan,
    resources: owned.map((r) => ({
      ...r,
      dependsOn: owned.filter((o) => o.dependsOn.includes(r.id) && ids.has(o.id)).map((o) => o.id),
    })),
  };
}

async function call(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${baseUrl}/api/${route}?code=${KEY}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/**
 * Submits one operation, waits for the cluster's orchestration to finish, and returns its makespan as
 * the durable runtime recorded it (created → last updated), so the benchmark's own polling (every
 * 100 ms, through the check-status URL the 202 returned) neither shifts nor slows the measurement.
 */
async function timed(baseUrl: string, method: string, route: string, body?: unknown): Promise<number> {
  const accepted = await call(baseUrl, method, route, body);
  const statusUrl = (accepted.json as { statusQueryGetUri?: string } | undefined)?.statusQueryGetUri;
  if (accepted.status !== 202 || !statusUrl) {
    throw new Error(`${method} ${route}: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  }
  const light = `${statusUrl}${statusUrl.includes('?') ? '&' : '?'}showInput=false`;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const status = (await (await fetch(light)).json()) as {
      runtimeStatus: string;
      createdTime: string;
      lastUpdatedTime: string;
      customStatus?: { error?: unknown };
    };
    if (status.runtimeStatus === 'Completed') {
      return Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime);
    }
    if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated') {
      throw new Error(
        `${method} ${route} ended ${status.runtimeStatus}: ${JSON.stringify(status.customStatus?.error)}`,
      );
    }
  }
}

/** Per resource type: when its first write arrived, when its last finished, and any non-2xx answers. */
function traceOperations(ops: OperationRecord[]): void {
  const t0 = ops[0]?.time ?? 0;
  const byType = new Map<
    string,
    { first: number; last: number; count: number; statuses: Map<number, number> }
  >();
  for (const op of ops) {
    const type = /providers\/[^/]+\/([^/]+)(?:\/[^/]+\/(subnets))?/i.exec(op.path);
    const key = `${op.method} ${type ? (type[2] ?? type[1]) : 'other'}`;
    const entry = byType.get(key) ?? {
      first: Infinity,
      last: 0,
      count: 0,
      statuses: new Map<number, number>(),
    };
    entry.first = Math.min(entry.first, op.time - t0);
    entry.last = Math.max(entry.last, op.time - t0 + op.durationMs);
    entry.count++;
    entry.statuses.set(op.status, (entry.statuses.get(op.status) ?? 0) + 1);
    byType.set(key, entry);
  }
  for (const [key, e] of [...byType].sort((a, b) => a[1].first - b[1].first)) {
    const statuses = [...e.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
    console.error(
      `  trace ${key.padEnd(36)} ${String(e.count).padStart(4)}  ${Math.round(e.first)}–${Math.round(e.last)} ms  ${statuses}`,
    );
  }
}

/** Orchestration episodes the host ran, per instance: how many and how long (replay + new work). */
interface EpisodeLog {
  byInstance: Map<string, { episodes: number; ms: number }>;
}

function episodeLogger(log: EpisodeLog): (message: string, fields?: Record<string, unknown>) => void {
  return (_message, fields) => {
    if (fields?.['kind'] !== 'orchestration') return;
    const id = String(fields['instanceId']);
    const entry = log.byInstance.get(id) ?? { episodes: 0, ms: 0 };
    entry.episodes++;
    entry.ms += typeof fields['durationMs'] === 'number' ? fields['durationMs'] : 0;
    log.byInstance.set(id, entry);
  };
}

/** History events of a cluster's instances (the cluster's and its sub-orchestrations'). */
async function historyEvents(baseUrl: string, statusUrl: string, clusterName: string): Promise<number> {
  const instance = `cluster-${clusterName}`;
  let total = 0;
  const ids = [instance, `${instance}:apply`, ...['1', '2', '3', 'none'].map((z) => `${instance}:zone-${z}`)];
  for (let i = 1; i <= 12; i++) ids.push(`${instance}:zone-infra-${i}`);
  for (const id of ids) {
    const url = statusUrl.replace(/instances\/[^?]+/, `instances/${encodeURIComponent(id)}`);
    const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}showHistory=true&showInput=false`);
    if (res.status !== 200) continue;
    const body = (await res.json()) as { historyEvents?: unknown[] };
    total += body.historyEvents?.length ?? 0;
  }
  void baseUrl;
  return total;
}

/** Submits and waits; returns the makespan and the status URL. */
async function timedWithUrl(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ ms: number; statusUrl: string }> {
  const accepted = await call(baseUrl, method, route, body);
  const statusUrl = (accepted.json as { statusQueryGetUri?: string } | undefined)?.statusQueryGetUri;
  if (accepted.status !== 202 || !statusUrl) {
    throw new Error(`${method} ${route}: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  }
  // Without the input (the plan: megabytes at 1,000 nodes), polled once a second: the makespan comes
  // from the runtime's own timestamps, and the bench shares one process with the host and the emulator.
  const light = `${statusUrl}${statusUrl.includes('?') ? '&' : '?'}showInput=false`;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const status = (await (await fetch(light)).json()) as {
      runtimeStatus: string;
      createdTime: string;
      lastUpdatedTime: string;
      customStatus?: { error?: unknown };
    };
    if (status.runtimeStatus === 'Completed') {
      return { ms: Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime), statusUrl };
    }
    if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated') {
      throw new Error(
        `${method} ${route} ended ${status.runtimeStatus}: ${JSON.stringify(status.customStatus?.error)}`,
      );
    }
  }
}

/** ARM's sustained write rate per subscription (writes per Azure second). */
const ARM_WRITES_PER_SECOND = 10;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const names = Array.from({ length: options.clusters }, (_, i) =>
    options.clusters === 1 ? 'bench' : `bench${i + 1}`,
  );
  const groups = names.map((n) => (options.clusters === 1 ? RESOURCE_GROUP : `rg-${n}`));
  const specs = names.map((n, i) => benchSpec(options.workers, n, groups[i]));
  const spec = specs[0] ?? benchSpec(options.workers);
  const parsed = parseClusterSpec(spec);
  if (!parsed.ok) throw new Error(`bench spec invalid: ${JSON.stringify(parsed.errors)}`);
  const plan = planCluster(parsed.spec, { subscriptionId: DEFAULT_SUBSCRIPTION_ID });
  const owned = plan.resources.filter((r) => r.owned);
  const nodes = 3 + options.workers;

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-provision-'));
  const emulator = await startArmEmulator({
    port: 0,
    timeScale: options.timeScale,
    resourceGroups: [
      { name: RESOURCE_GROUP, location: 'eastus' },
      ...groups.filter((g) => g !== RESOURCE_GROUP).map((name) => ({ name, location: 'eastus' })),
    ],
    // Enough regional vCPU quota for the largest case (1,000 nodes of 2–4 vCPUs).
    vcpuQuotaPerRegion: 10_000,
    ...(options.throttle ? { throttle: 'azure' as const } : {}),
  });
  const caFile = path.join(tempDir, 'arm-ca.pem');
  fs.writeFileSync(caFile, emulator.caCertPem);
  const episodes: EpisodeLog = { byInstance: new Map() };
  const host = await startHost({
    appDir: ROOT,
    port: 0,
    stateDir: path.join(tempDir, 'host'),
    settings: {
      AZURE_SUBSCRIPTION_ID: DEFAULT_SUBSCRIPTION_ID,
      ARM_ENDPOINT: emulator.url,
      ARM_CA_CERT_FILE: caFile,
      ARM_CREDENTIAL: 'static',
      ARM_POLL_INTERVAL_MS: String(options.pollMs),
      // The subscription budget refills on the emulator's clock, as the emulator's buckets do.
      ARM_BUDGET_TIME_SCALE: String(options.timeScale),
      LOCAL_HOST_FUNCTION_KEY: KEY,
      EVENTGRID_TOPIC_ENDPOINT: '',
    },
    logger: { info: episodeLogger(episodes), warn: () => undefined, error: (m) => console.error(m) },
  });

  try {
    const ops = (): OperationRecord[] => emulator.operations();
    const createBound = planCriticalPath(plan, latencyMs('write', options.timeScale));
    const serialBound = owned.reduce((sum, r) => sum + latencyMs('write', options.timeScale)(r), 0);
    const deleteBound = planCriticalPath(reversed(plan), latencyMs('delete', options.timeScale));

    // Warm the host first (instantly: time scale 0), so the measured run sees a process that has
    // already loaded the SDKs and opened its connections, as a host that has served one request has.
    // What that first load costs is reported on its own line.
    emulator.setTimeScale(0);
    // A small cluster: what is warmed is the process (SDKs, connections), not a plan of this size.
    const warmupMs = await timed(host.url, 'POST', 'clusters', benchSpec(3, 'warmup'));
    emulator.setTimeScale(options.timeScale);
    emulator.reset();
    episodes.byInstance.clear();

    const created = await Promise.all(specs.map((s) => timedWithUrl(host.url, 'POST', 'clusters', s)));
    const createOps = ops();
    const firstWrites = createOps.filter((o) => o.write).length;
    const reads = createOps.filter((o) => !o.write).length;
    const throttled = createOps.filter((o) => o.status === 429).length;
    if (options.trace) traceOperations(createOps);
    const createMs = Math.max(...created.map((c) => c.ms));
    const fastestMs = Math.min(...created.map((c) => c.ms));
    const writesBound = ((firstWrites / ARM_WRITES_PER_SECOND) * 1000 * options.timeScale) / 1;
    const bound = options.throttle ? Math.max(createBound, writesBound) : createBound;
    let events = 0;
    for (const [i, c] of created.entries())
      events += await historyEvents(host.url, c.statusUrl, names[i] ?? '');
    let episodeMs = 0;
    let episodeCount = 0;
    for (const e of episodes.byInstance.values()) {
      episodeMs += e.ms;
      episodeCount += e.episodes;
    }
    const allNodes = nodes * options.clusters;

    let reapplyMs = 0;
    let reapplyWrites = 0;
    let deleteMs = 0;
    let leftOver = 0;
    if (!options.createOnly) {
      const before = ops().filter((o) => o.write).length;
      reapplyMs = (await Promise.all(specs.map((s) => timed(host.url, 'POST', 'clusters', s)))).reduce(
        (a, b) => Math.max(a, b),
        0,
      );
      reapplyWrites = ops().filter((o) => o.write).length - before;
      deleteMs = (await Promise.all(names.map((n) => timed(host.url, 'DELETE', `clusters/${n}`)))).reduce(
        (a, b) => Math.max(a, b),
        0,
      );
      leftOver = (emulator.resources() as { id: string }[]).filter((r) => /\/providers\//i.test(r.id)).length;
    }

    const result = {
      nodes: { controlPlane: 3, workers: options.workers, zones: 3, clusters: options.clusters },
      timeScale: options.timeScale,
      throttle: options.throttle,
      plannedResources: owned.length,
      create: {
        makespanMs: Math.round(createMs),
        criticalPathMs: Math.round(createBound),
        writesOverRateMs: Math.round(writesBound),
        ratio: +(createMs / bound).toFixed(3),
        serialApplyOverCriticalPath: +(serialBound / createBound).toFixed(1),
        slowerOverFaster: +(createMs / fastestMs).toFixed(3),
      },
      arm: {
        writesFirstApply: firstWrites,
        readsFirstApply: reads,
        readsPerNode: +(reads / allNodes).toFixed(2),
        throttledAnswers: throttled,
        writesReApply: reapplyWrites,
        plan: owned.length * options.clusters,
      },
      orchestrator: {
        historyEventsPerNode: +(events / allNodes).toFixed(2),
        episodesPerNode: +(episodeCount / allNodes).toFixed(2),
        episodeMsPerNode: +(episodeMs / allNodes).toFixed(2),
      },
      reApplyMs: Math.round(reapplyMs),
      coldFirstClusterMsAtTimeScale0: Math.round(warmupMs),
      delete: {
        makespanMs: Math.round(deleteMs),
        criticalPathMs: Math.round(deleteBound),
        ratio: +(deleteMs / deleteBound).toFixed(3),
        resourcesLeft: leftOver,
      },
    };
    if (options.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      const c = result.create;
      console.log(
        `provision ${options.clusters} × (3 + ${options.workers}) nodes over 3 zones (time scale ${options.timeScale}, ${owned.length} resources per cluster, ARM throttling ${options.throttle ? 'on' : 'off'})`,
      );
      console.log(
        options.throttle
          ? `  create makespan / max(critical path, writes ÷ ${ARM_WRITES_PER_SECOND}/s)  ${c.ratio}  (${c.makespanMs} ms / max(${c.criticalPathMs}, ${c.writesOverRateMs}) ms; target ≤ 1.3)`
          : `  create makespan / critical path  ${c.ratio}  (${c.makespanMs} ms / ${c.criticalPathMs} ms; target ≤ 1.05)`,
      );
      if (options.clusters > 1) {
        console.log(`  slower / faster cluster          ${c.slowerOverFaster}  (target ≤ 1.2)`);
      }
      console.log(
        `  serial apply / critical path     ${c.serialApplyOverCriticalPath}  (what one-at-a-time tooling would take)`,
      );
      console.log(
        `  cold host, first cluster (3 + 3 nodes) at time scale 0: ${result.coldFirstClusterMsAtTimeScale0} ms (SDK load + first connections)`,
      );
      console.log(`  ARM writes first apply           ${firstWrites}  (plan: ${result.arm.plan})`);
      console.log(
        `  ARM reads first apply            ${reads}  (${result.arm.readsPerNode} per node; ${throttled} answered 429)`,
      );
      console.log(
        `  orchestrator work per node       ${result.orchestrator.historyEventsPerNode} history events, ${result.orchestrator.episodesPerNode} episodes, ${result.orchestrator.episodeMsPerNode} ms replaying`,
      );
      if (!options.createOnly) {
        console.log(
          `  ARM writes re-apply              ${reapplyWrites}  (target 0; took ${result.reApplyMs} ms)`,
        );
        console.log(
          `  delete makespan / critical path  ${result.delete.ratio}  (${result.delete.makespanMs} ms / ${result.delete.criticalPathMs} ms; ${leftOver} resources left)`,
        );
      }
    }
  } finally {
    await host.close();
    await emulator.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
