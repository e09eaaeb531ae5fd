/**
 * Provisioning benchmark: IaaS clusters (3 control-plane nodes + N workers over 3 zones) created through
 * the app's HTTP API on the local host, against the ARM emulator's latency model — by default the seeded
 * heavy-tailed one, so every VM draws its own latency.
 *
 * Prints, from one run (absolute times on a shared machine mean little; ratios do), with its inputs (seed,
 * latency model, time scale, poll interval, ARM and Compute limits on/off, load average):
 *  - create makespan ÷ the critical-path bound built from the latencies each resource ACTUALLY DREW in
 *    this run (`GET /_emulator/latencies`, see bench/drawnBound.ts for how a resource drawn twice or never
 *    is counted); with ARM's limits on, ÷ max(that bound, writes ÷ ARM's sustained write rate);
 *  - 429 answers, resources that did not end Succeeded, ARM reads per node;
 *  - the orchestrator's work per node (the host's work counters: episodes, history events written and
 *    replayed, time in episodes), which must stay flat as the cluster grows;
 *  - ARM writes on the first apply (= the plan) and on a re-apply (0), and delete makespan ÷ its own
 *    drawn bound on the reverse graph (unless `--create-only`);
 *  - with `--clusters N`: N clusters at once in one subscription, slower ÷ faster.
 *
 * The exit code is nonzero when a run fails (an orchestration fails, a resource is left not Succeeded, a
 * case crashes or times out) — not when a target is missed: that prints "target missed".
 *
 * Usage: npm run bench -- [--seed N] [--time-scale 0.25] [--workers 30] [--poll-ms 50] [--limits]
 *   [--throttle] [--compute-throttle] [--latency-model heavy-tail|fixed] [--clusters 1] [--create-only]
 *   [--json] [--trace]
 *   [--orchestration VirtualMachines|FlexibleScaleSet]   (the worker pools'; default: the spec's, by size)
 *        npm run bench -- --suite [--seed N] [--only 30,300,1000,300vm,1000vm,2x300]   (every case, one table)
 * `--limits` = `--throttle` (ARM's request limits) + `--compute-throttle` (Compute's).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  DEFAULT_SUBSCRIPTION_ID,
  type LatencyDraw,
  type OperationRecord,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';
import { type InstanceWork, startHost } from '@azure-cluster-provisioner/functions-host';

import { planCluster } from '../src/cluster/plan';
import type { Plan } from '../src/cluster/plan/types';
import { parseClusterSpec } from '../src/cluster/validate';
import { drawnCriticalPath, reversedPlan } from './drawnBound';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'bench-function-key';
const RESOURCE_GROUP = 'rg-bench';
/** ARM's sustained write rate per subscription (writes per Azure second; the emulator's 'azure' bucket). */
const ARM_WRITES_PER_SECOND = 10;

interface Options {
  timeScale: number;
  workers: number;
  pollMs: number;
  json: boolean;
  trace: boolean;
  throttle: boolean;
  computeThrottle: boolean;
  latencyModel: 'heavy-tail' | 'fixed';
  seed: number | undefined;
  clusters: number;
  createOnly: boolean;
  suite: boolean;
  only: string[] | undefined;
  /** The worker pools' `orchestration` (absent: the spec's default, by pool size). */
  orchestration: Orchestration | undefined;
}

const ORCHESTRATIONS = ['VirtualMachines', 'FlexibleScaleSet'] as const;
type Orchestration = (typeof ORCHESTRATIONS)[number];

function parseArgs(argv: string[]): Options {
  const options: Options = {
    timeScale: 0.25,
    workers: 30,
    pollMs: 50,
    json: false,
    trace: false,
    throttle: false,
    computeThrottle: false,
    latencyModel: 'heavy-tail',
    seed: undefined,
    clusters: 1,
    createOnly: false,
    suite: false,
    only: undefined,
    orchestration: undefined,
  };
  const flags: Record<string, () => void> = {
    '--json': () => (options.json = true),
    '--trace': () => (options.trace = true),
    '--throttle': () => (options.throttle = true),
    '--compute-throttle': () => (options.computeThrottle = true),
    '--limits': () => {
      options.throttle = true;
      options.computeThrottle = true;
    },
    '--create-only': () => (options.createOnly = true),
    '--suite': () => (options.suite = true),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const flag = flags[arg];
    if (flag) {
      flag();
      continue;
    }
    const raw = argv[++i];
    if (raw === undefined) throw new Error(`${arg} needs a value (see the header of bench/provision.ts)`);
    if (arg === '--latency-model') {
      if (raw !== 'heavy-tail' && raw !== 'fixed')
        throw new Error(`--latency-model: heavy-tail or fixed, got '${raw}'`);
      options.latencyModel = raw;
      continue;
    }
    if (arg === '--orchestration') {
      const value = ORCHESTRATIONS.find((o) => o.toLowerCase() === raw.toLowerCase());
      if (!value) throw new Error(`--orchestration: ${ORCHESTRATIONS.join(' or ')}, got '${raw}'`);
      options.orchestration = value;
      continue;
    }
    if (arg === '--only') {
      options.only = raw.split(',').map((s) => s.trim());
      continue;
    }
    const value = Number(raw);
    if (arg === '--seed') {
      if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
        throw new Error(`--seed: an integer from 0 to 4294967295, got '${raw}'`);
      }
      options.seed = value;
      continue;
    }
    if (!(value > 0)) throw new Error(`unknown or invalid argument '${arg} ${raw}' (see bench/provision.ts)`);
    if (arg === '--time-scale') options.timeScale = value;
    else if (arg === '--poll-ms') options.pollMs = value;
    else if (arg === '--workers') options.workers = Math.floor(value);
    else if (arg === '--clusters') options.clusters = Math.floor(value);
    else throw new Error(`unknown argument '${arg}' (see the header of bench/provision.ts)`);
  }
  return options;
}

function benchSpec(
  workers: number,
  name = 'bench',
  resourceGroup = RESOURCE_GROUP,
  orchestration?: Orchestration,
): Record<string, unknown> {
  const half = Math.floor(workers / 2);
  const pool = orchestration ? { orchestration } : {};
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
      { name: 'general', count: workers - half, vmSize: 'Standard_D4s_v5', zones: ['1', '2', '3'], ...pool },
      { name: 'batch', count: half, vmSize: 'Standard_D2s_v5', zones: ['1', '2', '3'], ...pool },
    ].filter((pool) => pool.count > 0),
    ssh: {
      adminUsername: 'azureuser',
      publicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa5xZdozvfsW+V/nEdyuA1c+yvb99OQpv+dj3gw9/+S bench@example',
    },
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

/** An error's message with its cause's (undici's `fetch failed` says why only in `cause`). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return typeof err === 'string' ? err : JSON.stringify(err);
  return err.cause === undefined ? err.message : `${err.message} (${describe(err.cause)})`;
}

/** Like Promise.all, but waits for every operation to end before rejecting with the first failure. */
async function allEnded<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Consecutive failed status polls (one a second) after which the run counts as failed. */
const MAX_FAILED_POLLS = 30;

class RunFailed extends Error {
  override readonly name = 'RunFailed';
}

/**
 * Submits one operation, waits for the cluster's orchestration to finish, and returns its makespan as
 * the durable runtime recorded it (created → last updated), so the benchmark's own polling (once a
 * second, without the input: the plan is megabytes at 1,000 nodes) neither shifts nor slows it.
 */
async function timed(baseUrl: string, method: string, route: string, body?: unknown): Promise<number> {
  const accepted = await call(baseUrl, method, route, body);
  const statusUrl = (accepted.json as { statusQueryGetUri?: string } | undefined)?.statusQueryGetUri;
  if (accepted.status !== 202 || !statusUrl) {
    throw new RunFailed(`${method} ${route}: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  }
  const light = `${statusUrl}${statusUrl.includes('?') ? '&' : '?'}showInput=false`;
  let failedPolls = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    let status: {
      runtimeStatus: string;
      createdTime: string;
      lastUpdatedTime: string;
      customStatus?: { error?: unknown };
      output?: unknown;
    };
    try {
      status = (await (await fetch(light)).json()) as typeof status;
      failedPolls = 0;
    } catch (err) {
      // The bench's own status poll (the host shares this process and may be busy): a few failed polls
      // in a row are not the app's failure; said on stderr, and the run fails only if it persists.
      const cause = describe(err);
      console.error(`bench: status poll failed (${++failedPolls} in a row): ${cause}`);
      if (failedPolls >= MAX_FAILED_POLLS)
        throw new RunFailed(`status poll failed ${failedPolls} times in a row: ${cause}`);
      continue;
    }
    if (status.runtimeStatus === 'Completed') {
      return Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime);
    }
    if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated') {
      throw new RunFailed(
        `${method} ${route} ended ${status.runtimeStatus}: ${JSON.stringify(status.customStatus?.error ?? status.output)?.slice(0, 600)}`,
      );
    }
  }
}

/** Per resource type: when its first write arrived, when its last finished, and any non-2xx answers. */
function traceOperations(ops: OperationRecord[]): void {
  const t0 = ops[0]?.time ?? 0;
  const byType = new Map<
    string,
    { first: number; last: number; count: number; statuses: Map<string, number> }
  >();
  for (const op of ops) {
    const type = /providers\/[^/]+\/([^/]+)(?:\/[^/]+\/(subnets))?/i.exec(op.path);
    const key = `${op.method} ${type ? (type[2] ?? type[1]) : 'other'}`;
    const entry = byType.get(key) ?? {
      first: Infinity,
      last: 0,
      count: 0,
      statuses: new Map<string, number>(),
    };
    entry.first = Math.min(entry.first, op.time - t0);
    entry.last = Math.max(entry.last, op.time - t0 + op.durationMs);
    entry.count++;
    const answer = op.errorCode ? `${op.status} ${op.errorCode}` : String(op.status);
    entry.statuses.set(answer, (entry.statuses.get(answer) ?? 0) + 1);
    byType.set(key, entry);
  }
  for (const [key, e] of [...byType].sort((a, b) => a[1].first - b[1].first)) {
    const statuses = [...e.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
    console.error(
      `  trace ${key.padEnd(36)} ${String(e.count).padStart(4)}  ${Math.round(e.first)}–${Math.round(e.last)} ms  ${statuses}`,
    );
  }
}

/** The instances that replayed the most (where orchestrator work goes), one line each. */
function traceWork(work: InstanceWork[]): void {
  for (const w of [...work].sort((a, b) => b.eventsReplayed - a.eventsReplayed).slice(0, 8)) {
    console.error(
      `  work ${w.kind} ${w.id} (${w.name}): ${w.episodes} episodes, ${w.historyEventsAppended} events written, ${w.eventsReplayed} replayed, ${Math.round(w.ms)} ms`,
    );
  }
}

/**
 * The chain that ended last, as it actually ran: from the resource whose operation finished last, back
 * through the dependency that finished last, with the gap before each operation started (the time the
 * orchestrator took to start it after its last dependency was done). Times from the draws (start +
 * drawn duration), or for a resource ARM answered at once from its request in the log.
 */
function traceLastChain(plan: Plan, draws: LatencyDraw[], ops: OperationRecord[], t0: number): void {
  const span = new Map<string, { start: number; end: number }>();
  for (const d of draws) {
    const key = d.id.toLowerCase();
    if (d.kind === 'write' && !span.has(key))
      span.set(key, { start: d.startedAt, end: d.startedAt + d.durationMs });
  }
  for (const o of ops) {
    const key = o.path.split('?')[0]?.toLowerCase() ?? '';
    if (o.write && o.status < 300 && !span.has(key))
      span.set(key, { start: o.time, end: o.time + o.durationMs });
  }
  const byId = new Map(plan.resources.map((r) => [r.id.toLowerCase(), r]));
  let current = [...byId.keys()]
    .filter((k) => span.has(k))
    .sort((a, b) => (span.get(b)?.end ?? 0) - (span.get(a)?.end ?? 0))[0];
  const lines: string[] = [];
  let gaps = 0;
  while (current !== undefined) {
    const r = byId.get(current);
    const s = span.get(current);
    if (!r || !s) break;
    const deps = r.dependsOn.map((d) => d.toLowerCase()).filter((d) => span.has(d));
    const last = deps.sort((a, b) => (span.get(b)?.end ?? 0) - (span.get(a)?.end ?? 0))[0];
    const ready = last === undefined ? t0 : (span.get(last)?.end ?? t0);
    gaps += Math.max(0, s.start - ready);
    lines.push(
      `  chain ${r.type.split('/').pop()} ${r.name}: waited ${Math.round(s.start - ready)} ms, ran ${Math.round(s.end - s.start)} ms (ends at ${Math.round(s.end - t0)} ms)`,
    );
    current = last;
  }
  for (const line of lines.reverse()) console.error(line);
  console.error(
    `  chain ${plan.cluster.name}: ${Math.round(gaps)} ms of waiting between operations along it`,
  );
}

/** Planned owned resources that do not exist, or exist in another state than Succeeded. */
function notSucceeded(plans: Plan[], resources: object[]): string[] {
  const state = new Map<string, string | undefined>();
  for (const r of resources as { id?: string; properties?: { provisioningState?: string } }[]) {
    if (typeof r.id === 'string') state.set(r.id.toLowerCase(), r.properties?.provisioningState);
  }
  const subnetState = (id: string): string | undefined => {
    // Subnets are rendered inside their VNet.
    const m = /^(.*\/virtualnetworks\/[^/]+)\/subnets\/([^/]+)$/i.exec(id);
    if (!m) return undefined;
    const vnet = (
      resources as {
        id?: string;
        properties?: { subnets?: { id?: string; properties?: { provisioningState?: string } }[] };
      }[]
    ).find((r) => r.id?.toLowerCase() === m[1]?.toLowerCase());
    const subnet = vnet?.properties?.subnets?.find((s) => s.id?.toLowerCase() === id.toLowerCase());
    return subnet ? (subnet.properties?.provisioningState ?? 'Succeeded') : undefined;
  };
  const failed: string[] = [];
  for (const plan of plans) {
    for (const r of plan.resources.filter((p) => p.owned)) {
      const key = r.id.toLowerCase();
      const s = state.has(key) ? (state.get(key) ?? 'Succeeded') : subnetState(r.id);
      if (s !== 'Succeeded') failed.push(`${r.id} (${s ?? 'missing'})`);
    }
  }
  return failed;
}

interface WorkPerNode {
  episodes: number;
  historyEventsAppended: number;
  eventsReplayed: number;
  ms: number;
  entityBatches: number;
  entityMs: number;
}

function workPerNode(work: InstanceWork[], nodes: number): WorkPerNode {
  const sum = (kind: InstanceWork['kind'], f: (w: InstanceWork) => number): number =>
    work.filter((w) => w.kind === kind).reduce((a, w) => a + f(w), 0);
  const per = (n: number): number => +(n / nodes).toFixed(2);
  return {
    episodes: per(sum('orchestration', (w) => w.episodes)),
    historyEventsAppended: per(sum('orchestration', (w) => w.historyEventsAppended)),
    eventsReplayed: per(sum('orchestration', (w) => w.eventsReplayed)),
    ms: per(sum('orchestration', (w) => w.ms)),
    entityBatches: per(sum('entity', (w) => w.episodes)),
    entityMs: per(sum('entity', (w) => w.ms)),
  };
}

const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export interface BenchResult {
  ok: boolean;
  error?: string;
  inputs: {
    controlPlane: number;
    workers: number;
    clusters: number;
    latencyModel: string;
    seed: number;
    timeScale: number;
    pollMs: number;
    armLimits: boolean;
    computeLimits: boolean;
    loadAverageAtStart: string;
    loadAverageAtEnd: string;
    cpus: number;
    replay: string;
    /** How the plan builds the worker pools: one Flexible scale set per zone, or a VM (and NIC) per node. */
    workerPools: 'FlexibleScaleSet' | 'VirtualMachines';
  };
  plannedResourcesPerCluster: number;
  create: {
    makespanMs: number;
    fastestMs: number;
    criticalPathMs: number;
    writesOverRateMs: number;
    ratio: number;
    target: number;
    slowerOverFaster: number;
    /** Per cluster: its makespan ÷ its own drawn bound (the slower ÷ faster of these is the sharing). */
    ownBoundRatios: number[];
    notDrawn: number;
    notDrawnTypes: Record<string, number>;
    drawnMoreThanOnce: number;
  };
  arm: {
    writesFirstApply: number;
    readsFirstApply: number;
    readsPerNode: number;
    answered429: number;
    answered429Compute: number;
    resourcesNotSucceeded: number;
    writesReApply: number | null;
    plan: number;
  };
  orchestratorPerNode: WorkPerNode;
  reApplyMs: number | null;
  delete: { makespanMs: number; criticalPathMs: number; ratio: number; resourcesLeft: number } | null;
}

async function runCase(options: Options): Promise<BenchResult> {
  const loadAtStart = loadAverage();
  const names = Array.from({ length: options.clusters }, (_, i) =>
    options.clusters === 1 ? 'bench' : `bench${i + 1}`,
  );
  const groups = names.map((n) => (options.clusters === 1 ? RESOURCE_GROUP : `rg-${n}`));
  const specs = names.map((n, i) => benchSpec(options.workers, n, groups[i], options.orchestration));
  const plans = specs.map((spec) => {
    const parsed = parseClusterSpec(spec);
    if (!parsed.ok) throw new Error(`bench spec invalid: ${JSON.stringify(parsed.errors)}`);
    return planCluster(parsed.spec, { subscriptionId: DEFAULT_SUBSCRIPTION_ID });
  });
  const ownedPerCluster = plans[0]?.resources.filter((r) => r.owned).length ?? 0;
  const allNodes = (3 + options.workers) * options.clusters;

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-provision-'));
  const emulator = await startArmEmulator({
    port: 0,
    timeScale: options.timeScale,
    latencyModel: options.latencyModel,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    resourceGroups: [...new Set([RESOURCE_GROUP, ...groups])].map((name) => ({ name, location: 'eastus' })),
    // Enough regional vCPU quota for the largest case (2 × 1,000 nodes of 2–4 vCPUs).
    vcpuQuotaPerRegion: 10_000,
    ...(options.throttle ? { throttle: 'azure' as const } : {}),
    ...(options.computeThrottle ? { computeThrottle: 'azure' as const } : {}),
  });
  const seed = emulator.latency().seed;
  const replay = [
    `--seed ${seed}`,
    `--workers ${options.workers}`,
    `--time-scale ${options.timeScale}`,
    `--poll-ms ${options.pollMs}`,
    options.latencyModel === 'fixed' ? '--latency-model fixed' : '',
    options.throttle && options.computeThrottle
      ? '--limits'
      : options.throttle
        ? '--throttle'
        : options.computeThrottle
          ? '--compute-throttle'
          : '',
    options.clusters > 1 ? `--clusters ${options.clusters}` : '',
    options.createOnly ? '--create-only' : '',
    options.orchestration ? `--orchestration ${options.orchestration}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (!options.json) {
    console.error(
      `bench: latency model ${options.latencyModel}, seed ${seed} (replay: npm run bench -- ${replay})`,
    );
  }
  const caFile = path.join(tempDir, 'arm-ca.pem');
  fs.writeFileSync(caFile, emulator.caCertPem);
  const warnings: string[] = [];
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
    // Warnings (activity retries, a refused start) are kept, not printed: the last ones are shown if the run fails.
    logger: {
      info: () => undefined,
      warn: (m, fields) => {
        warnings.push(`${m}${fields ? ` ${JSON.stringify(fields).slice(0, 400)}` : ''}`);
        if (warnings.length > 20) warnings.shift();
      },
      error: (m) => console.error(m),
    },
  });
  const durable = host.durable;
  if (!durable) throw new Error('the app has no durable functions');

  const ops = (): OperationRecord[] => emulator.operations();
  const draws = (): LatencyDraw[] => emulator.latencies();
  let error: string | undefined;
  let createdMs: number[] = [];
  let reapplyMs: number | null = null;
  let reapplyWrites: number | null = null;
  let deleteResult: BenchResult['delete'] = null;
  let createOps: OperationRecord[] = [];
  let createDraws: LatencyDraw[] = [];
  let work: InstanceWork[] = [];
  let failedResources: string[] = [];
  try {
    // Warm the host first (instantly: time scale 0, nothing throttles), so the measured run sees a process
    // that has loaded the SDKs and opened its connections, as a host that has served one request has.
    emulator.setTimeScale(0);
    await timed(host.url, 'POST', 'clusters', benchSpec(3, 'warmup'));
    emulator.setTimeScale(options.timeScale);
    // Forgets resources, draws and per-resource draw counts (the seed stays): the run below replays.
    emulator.reset();
    durable.resetWorkStats();

    try {
      createdMs = await allEnded(specs.map((s) => timed(host.url, 'POST', 'clusters', s)));
    } finally {
      createOps = ops();
      createDraws = draws();
      work = durable.workStats();
      failedResources = notSucceeded(plans, emulator.resources());
    }
    if (failedResources.length > 0) {
      throw new RunFailed(
        `${failedResources.length} planned resources did not end Succeeded, e.g. ${failedResources[0]}`,
      );
    }
    if (options.trace) {
      traceOperations(createOps);
      traceWork(work);
      for (const plan of plans)
        traceLastChain(plan, createDraws, createOps, Math.min(...createOps.map((o) => o.time)));
    }

    if (!options.createOnly) {
      const before = ops().filter((o) => o.write).length;
      reapplyMs = Math.max(...(await allEnded(specs.map((s) => timed(host.url, 'POST', 'clusters', s)))));
      reapplyWrites = ops().filter((o) => o.write).length - before;
      const deleteMs = Math.max(
        ...(await allEnded(names.map((n) => timed(host.url, 'DELETE', `clusters/${n}`)))),
      );
      const deleteBound = Math.max(
        ...plans.map((p) => drawnCriticalPath(reversedPlan(p), draws(), 'delete').boundMs),
      );
      deleteResult = {
        makespanMs: Math.round(deleteMs),
        criticalPathMs: Math.round(deleteBound),
        ratio: +(deleteMs / deleteBound).toFixed(3),
        resourcesLeft: (emulator.resources() as { id: string }[]).filter((r) => /\/providers\//i.test(r.id))
          .length,
      };
    }
  } catch (err) {
    error = describe(err);
    for (const w of warnings) console.error(`bench: host warning before the failure: ${w}`);
  } finally {
    await host.close();
    await emulator.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
  }

  const bounds = plans.map((p) => drawnCriticalPath(p, createDraws, 'write'));
  const createBound = Math.max(...bounds.map((b) => b.boundMs));
  const writes = createOps.filter((o) => o.write && o.status !== 429).length;
  const writesBound = (writes / ARM_WRITES_PER_SECOND) * 1000 * options.timeScale;
  const bound = options.throttle ? Math.max(createBound, writesBound) : createBound;
  const makespan = createdMs.length > 0 ? Math.max(...createdMs) : NaN;
  const fastest = createdMs.length > 0 ? Math.min(...createdMs) : NaN;
  // Each cluster against its own drawn bound: how evenly the budget was shared, whatever each one drew.
  const ownRatios = createdMs.map((ms, i) => ms / Math.max(bounds[i]?.boundMs ?? NaN, writesBound));
  const notDrawnTypes: Record<string, number> = {};
  for (const [i, b] of bounds.entries()) {
    for (const id of b.notDrawn) {
      const type = plans[i]?.resources.find((r) => r.id === id)?.type ?? 'unknown';
      notDrawnTypes[type] = (notDrawnTypes[type] ?? 0) + 1;
    }
  }
  const reads = createOps.filter((o) => !o.write).length;
  const isVm = (o: OperationRecord): boolean =>
    /\/providers\/microsoft\.compute\/virtualmachines/i.test(o.path);
  return {
    ok: error === undefined,
    ...(error === undefined ? {} : { error }),
    inputs: {
      controlPlane: 3,
      workers: options.workers,
      clusters: options.clusters,
      latencyModel: options.latencyModel,
      seed,
      timeScale: options.timeScale,
      pollMs: options.pollMs,
      armLimits: options.throttle,
      computeLimits: options.computeThrottle,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAverage(),
      cpus: os.cpus().length,
      replay: `npm run bench -- ${replay}`,
      workerPools: plans[0]?.resources.some((r) => (r.role as string) === 'workerScaleSet')
        ? 'FlexibleScaleSet'
        : 'VirtualMachines',
    },
    plannedResourcesPerCluster: ownedPerCluster,
    create: {
      makespanMs: Math.round(makespan),
      fastestMs: Math.round(fastest),
      criticalPathMs: Math.round(createBound),
      writesOverRateMs: Math.round(writesBound),
      ratio: +(makespan / bound).toFixed(3),
      target: options.throttle ? 1.3 : 1.05,
      slowerOverFaster: +(makespan / fastest).toFixed(3),
      ownBoundRatios: ownRatios.map((r) => +r.toFixed(3)),
      notDrawn: bounds.reduce((a, b) => a + b.notDrawn.length, 0),
      notDrawnTypes,
      drawnMoreThanOnce: bounds.reduce((a, b) => a + b.drawnMoreThanOnce.length, 0),
    },
    arm: {
      writesFirstApply: writes,
      readsFirstApply: reads,
      readsPerNode: +(reads / allNodes).toFixed(2),
      answered429: createOps.filter((o) => o.status === 429).length,
      answered429Compute: createOps.filter((o) => o.status === 429 && isVm(o)).length,
      resourcesNotSucceeded: failedResources.length,
      writesReApply: reapplyWrites,
      plan: ownedPerCluster * options.clusters,
    },
    orchestratorPerNode: workPerNode(work, allNodes),
    reApplyMs: reapplyMs === null ? null : Math.round(reapplyMs),
    delete: deleteResult,
  };
}

const verdict = (value: number, target: number): string => (value <= target ? 'target met' : 'target missed');

function printResult(r: BenchResult): void {
  const i = r.inputs;
  const c = r.create;
  console.log(
    `provision ${i.clusters} × (3 + ${i.workers}) nodes over 3 zones, ${r.plannedResourcesPerCluster} resources per cluster; worker pools as ${i.workerPools === 'FlexibleScaleSet' ? 'one Flexible scale set per zone' : 'single VMs (a NIC and a VM per node)'}`,
  );
  console.log(
    `  inputs: latency model ${i.latencyModel}, seed ${i.seed}, time scale ${i.timeScale}, poll ${i.pollMs} ms, ARM limits ${i.armLimits ? 'on' : 'off'}, Compute limits ${i.computeLimits ? 'on' : 'off'}; load average ${i.loadAverageAtStart} → ${i.loadAverageAtEnd} on ${i.cpus} CPUs`,
  );
  console.log(`  replay: ${i.replay}`);
  if (!r.ok) console.log(`  RUN FAILED: ${r.error}`);
  if (Number.isFinite(c.ratio)) {
    console.log(
      i.armLimits
        ? `  create makespan / max(drawn critical path, writes ÷ ${ARM_WRITES_PER_SECOND}/s)  ${c.ratio}  (${c.makespanMs} ms / max(${c.criticalPathMs}, ${c.writesOverRateMs}) ms; target ≤ ${c.target}: ${verdict(c.ratio, c.target)})`
        : `  create makespan / drawn critical path  ${c.ratio}  (${c.makespanMs} ms / ${c.criticalPathMs} ms; target ≤ ${c.target}: ${verdict(c.ratio, c.target)})`,
    );
  }
  const notDrawn = Object.entries(c.notDrawnTypes)
    .map(([t, n]) => `${t.split('/').slice(1).join('/')} ${n}`)
    .join(', ');
  console.log(
    `  bound built from ${r.arm.plan - c.notDrawn} drawn latencies; ${c.notDrawn} resources without a draw weigh 0 (${notDrawn || 'none'}); ${c.drawnMoreThanOnce} written more than once (first draw counted)`,
  );
  if (i.clusters > 1 && Number.isFinite(c.slowerOverFaster)) {
    console.log(
      `  slower / faster cluster  ${c.slowerOverFaster}  (target ≤ 1.2: ${verdict(c.slowerOverFaster, 1.2)}); each ÷ its own drawn bound: ${c.ownBoundRatios.join(', ')}`,
    );
  }
  console.log(`  ARM writes first apply  ${r.arm.writesFirstApply}  (plan: ${r.arm.plan})`);
  console.log(
    `  ARM reads first apply  ${r.arm.readsFirstApply}  (${r.arm.readsPerNode} per node); answered 429: ${r.arm.answered429} (${r.arm.answered429Compute} on VM requests); resources not Succeeded: ${r.arm.resourcesNotSucceeded}`,
  );
  const w = r.orchestratorPerNode;
  console.log(
    `  orchestrator work per node  ${w.historyEventsAppended} history events written, ${w.eventsReplayed} replayed, ${w.episodes} episodes, ${w.ms} ms in episodes; entities ${w.entityBatches} batches, ${w.entityMs} ms`,
  );
  if (r.arm.writesReApply !== null) {
    console.log(
      `  ARM writes re-apply  ${r.arm.writesReApply}  (target 0: ${verdict(r.arm.writesReApply, 0)}; took ${r.reApplyMs} ms)`,
    );
  }
  if (r.delete) {
    console.log(
      `  delete makespan / drawn critical path (reverse graph)  ${r.delete.ratio}  (${r.delete.makespanMs} ms / ${r.delete.criticalPathMs} ms; ${r.delete.resourcesLeft} resources left)`,
    );
  }
}

// ------------------------------------------------------------------------------------------------ suite

interface SuiteCase {
  key: string;
  label: string;
  args: string[];
}

/** A large case: ARM's and Compute's limits on, create only (delete is measured at 3 + 30). */
const limited = (workers: number, ...more: string[]): string[] => [
  '--workers',
  String(workers),
  '--time-scale',
  '0.25',
  '--poll-ms',
  '100',
  '--limits',
  '--create-only',
  ...more,
];

const SUITE: SuiteCase[] = [
  { key: '30', label: '3 + 30', args: ['--workers', '30', '--time-scale', '0.25', '--poll-ms', '50'] },
  { key: '300', label: '3 + 297, limits', args: limited(297) },
  { key: '1000', label: '3 + 997, limits', args: limited(997) },
  {
    key: '300vm',
    label: '3 + 297, limits, single VMs',
    args: limited(297, '--orchestration', 'VirtualMachines'),
  },
  {
    key: '1000vm',
    label: '3 + 997, limits, single VMs',
    args: limited(997, '--orchestration', 'VirtualMachines'),
  },
  { key: '2x300', label: '2 × (3 + 297), limits', args: limited(297, '--clusters', '2') },
];

/** Each case runs in its own process (a fresh host and emulator); a case longer than this is killed. */
const CASE_TIMEOUT_MS = 15 * 60_000;

function runChild(args: string[]): Promise<{ result?: BenchResult; error?: string; wallMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CASE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Date.now() - started;
      try {
        const result = JSON.parse(out) as BenchResult;
        resolve({ result, wallMs });
      } catch {
        resolve({
          error: signal ? `killed (${signal}) after ${wallMs} ms` : `exited ${code} without a result`,
          wallMs,
        });
      }
    });
  });
}

async function runSuite(options: Options): Promise<boolean> {
  const unknown = (options.only ?? []).filter((key) => !SUITE.some((c) => c.key === key));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown case ${unknown.join(', ')} (cases: ${SUITE.map((c) => c.key).join(', ')})`,
    );
  }
  const cases = SUITE.filter((c) => !options.only || options.only.includes(c.key));
  const rows: { c: SuiteCase; result?: BenchResult; error?: string; wallMs: number }[] = [];
  for (const c of cases) {
    const args = [...c.args, ...(options.seed === undefined ? [] : ['--seed', String(options.seed)])];
    if (options.latencyModel === 'fixed') args.push('--latency-model', 'fixed');
    console.error(`suite: ${c.label} …`);
    const outcome = await runChild(args);
    rows.push({ c, ...outcome });
    if (outcome.result) printResult(outcome.result);
    else console.log(`${c.label}: RUN FAILED: ${outcome.error}`);
  }
  const header = [
    'case',
    'worker pools',
    'seed',
    'load avg (start)',
    'makespan ÷ bound',
    'target',
    'slower ÷ faster',
    '429s',
    'not Succeeded',
    'reads/node',
    'history ev./node',
    'replayed ev./node',
    'episode ms/node',
    'wall s',
    'run',
  ];
  const table = rows.map(({ c, result: r, error, wallMs }) => [
    c.label,
    r ? (r.inputs.workerPools === 'FlexibleScaleSet' ? 'scale set/zone' : 'single VMs') : '',
    r ? String(r.inputs.seed) : '',
    r ? (r.inputs.loadAverageAtStart.split(' ')[0] ?? '') : '',
    r && Number.isFinite(r.create.ratio)
      ? `${r.create.ratio} (${verdict(r.create.ratio, r.create.target)})`
      : '—',
    r ? `≤ ${r.create.target}` : '',
    r && r.inputs.clusters > 1 ? String(r.create.slowerOverFaster) : '—',
    r ? String(r.arm.answered429) : '',
    r ? String(r.arm.resourcesNotSucceeded) : '',
    r ? String(r.arm.readsPerNode) : '',
    r ? String(r.orchestratorPerNode.historyEventsAppended) : '',
    r ? String(r.orchestratorPerNode.eventsReplayed) : '',
    r ? String(r.orchestratorPerNode.ms) : '',
    String(Math.round(wallMs / 1000)),
    r?.ok ? 'ok' : `FAILED${error ? `: ${error}` : r?.error ? `: ${r.error}` : ''}`,
  ]);
  console.log('');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of table) console.log(`| ${row.join(' | ')} |`);
  console.log(`(time scale, poll interval and limits per case: see each case's "inputs" line above)`);
  return rows.every((r) => r.result?.ok === true);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.suite) {
    if (!(await runSuite(options))) process.exitCode = 1;
    return;
  }
  const result = await runCase(options);
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else printResult(result);
  if (!result.ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
