/**
 * Node-pool scaling benchmark on the local host and the ARM emulator. One IaaS cluster (one worker pool
 * over 3 zones), then, from one run:
 *  - events/s accepted by the Event Grid function: a batch of shuffled demand events POSTed to the
 *    webhook; the webhook's acceptance rate (journaled, 200) and the function's handling rate (every
 *    invocation finished: cluster looked up, stale ones dropped, the rest handed to the pool);
 *  - event → first ARM write latency (p50, p95): single ScaleRequested +1 events, from the POST to
 *    the emulator's first PUT of the new node;
 *  - VM writes during a burst ÷ the net change: a shuffled burst of demand events; 1.0 means every VM
 *    write was needed, more means the pool followed intermediate targets (thrashing).
 *
 * Usage: npm run bench:scale -- [--events 500] [--samples 20] [--time-scale 0.05] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEFAULT_SUBSCRIPTION_ID, startArmEmulator } from '@azure-cluster-provisioner/arm-emulator';
import {
  durableManagementUrl,
  eventGridWebhookUrl,
  startHost,
} from '@azure-cluster-provisioner/functions-host';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'bench-function-key';
const RESOURCE_GROUP = 'rg-bench';
const CLUSTER = 'bench';
const POOL = 'workers';
const FUNCTION = 'nodeScalingEvents';

interface Options {
  events: number;
  samples: number;
  timeScale: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { events: 500, samples: 20, timeScale: 0.05, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') {
      options.json = true;
      continue;
    }
    const value = Number(argv[++i]);
    if (!(value > 0)) throw new Error(`invalid value for ${arg} (see the header of bench/scale.ts)`);
    if (arg === '--events') options.events = Math.floor(value);
    else if (arg === '--samples') options.samples = Math.floor(value);
    else if (arg === '--time-scale') options.timeScale = value;
    else throw new Error(`unknown argument '${arg}' (see the header of bench/scale.ts)`);
  }
  return options;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const emulator = await startArmEmulator({
    port: 0,
    timeScale: options.timeScale,
    resourceGroups: [{ name: RESOURCE_GROUP, location: 'eastus' }],
  });
  const caFile = path.join(tempDir, 'arm-ca.pem');
  fs.writeFileSync(caFile, emulator.caCertPem);
  const host = await startHost({
    appDir: ROOT,
    port: 0,
    stateDir: path.join(tempDir, 'host'),
    settings: {
      AZURE_SUBSCRIPTION_ID: DEFAULT_SUBSCRIPTION_ID,
      ARM_ENDPOINT: emulator.url,
      ARM_CA_CERT_FILE: caFile,
      ARM_CREDENTIAL: 'static',
      ARM_POLL_INTERVAL_MS: '20',
      LOCAL_HOST_FUNCTION_KEY: KEY,
      SCALE_IN_COOLDOWN_SECONDS: '0',
    },
    logger: { info: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
  });
  const webhook = eventGridWebhookUrl(host, FUNCTION);
  const api = `${host.url}/api`;
  const post = async (events: unknown[]): Promise<number> => {
    const res = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify(events),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const idle = async (): Promise<void> => {
    for (;;) {
      await host.eventGridIdle();
      const res = await fetch(
        `${durableManagementUrl(host)}&instanceIdPrefix=nodepool-&runtimeStatus=Pending,Running`,
      );
      if (((await res.json()) as unknown[]).length === 0) return;
      await sleep(20);
    }
  };
  const pool = async () => {
    const res = await fetch(`${api}/clusters/${CLUSTER}?code=${KEY}`);
    const view = (await res.json()) as { nodePools?: Record<string, { desired: number; actual: number }> };
    return view.nodePools?.[POOL];
  };
  const vmWrites = () =>
    emulator.operations().filter((o) => o.write && /\/virtualMachines\/[^/?]+(\?|$)/i.test(o.path)).length;
  let seq = 0;
  const demand = (required: number, observedAtMs: number) => ({
    id: `bench-${++seq}`,
    eventType: 'ClusterProvisioner.NodePool.DemandReported',
    subject: `clusters/${CLUSTER}/nodePools/${POOL}`,
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    data: {
      clusterName: CLUSTER,
      nodePool: POOL,
      requiredNodes: required,
      observedAt: new Date(observedAtMs).toISOString(),
    },
  });

  try {
    const example = parseYaml(
      fs.readFileSync(path.join(ROOT, 'examples/iaas-cluster.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    const spec = {
      ...example,
      name: CLUSTER,
      resourceGroup: RESOURCE_GROUP,
      nodePools: [
        { name: POOL, count: 3, minCount: 1, maxCount: 60, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      ],
    };
    const created = await fetch(`${api}/clusters?code=${KEY}`, {
      method: 'POST',
      body: JSON.stringify(spec),
    });
    if (created.status !== 202) throw new Error(`create: ${created.status} ${await created.text()}`);
    for (;;) {
      const view = (await (await fetch(`${api}/clusters/${CLUSTER}?code=${KEY}`)).json()) as {
        runtimeStatus: string;
      };
      if (view.runtimeStatus === 'Completed') break;
      if (view.runtimeStatus === 'Failed') throw new Error('cluster provisioning failed');
      await sleep(50);
    }

    // 1. Latency: single ScaleRequested +1 events, one at a time.
    const latencies: number[] = [];
    for (let i = 0; i < options.samples; i++) {
      const opsBefore = emulator.operations().length;
      const sent = Date.now();
      await post([
        {
          id: `latency-${i}`,
          eventType: 'ClusterProvisioner.NodePool.ScaleRequested',
          subject: `clusters/${CLUSTER}/nodePools/${POOL}`,
          eventTime: new Date().toISOString(),
          dataVersion: '1.0',
          data: { clusterName: CLUSTER, nodePool: POOL, delta: 1 },
        },
      ]);
      let first: number | undefined;
      while (first === undefined) {
        first = emulator
          .operations()
          .slice(opsBefore)
          .find((o) => o.write && o.method === 'PUT')?.time;
        if (first === undefined) await sleep(2);
      }
      latencies.push(first - sent);
      await idle();
    }
    const afterLatency = (await pool())?.actual ?? 0;

    // 2. Acceptance rate and 3. burst writes: shuffled bursts of demand events. "jitter": every demand
    // within ±3 of the final one (a reporter's noise); "uniform": demands anywhere in 1..40 (adversarial:
    // whatever the pool does before the newest event arrives is a swing it must undo).
    const burst = async (name: string, from: number, to: number, value: (i: number) => number) => {
      const base = Date.now();
      const events = Array.from({ length: options.events }, (_, i) =>
        demand(i === options.events - 1 ? to : value(i), base + i),
      );
      shuffle(events);
      const writesBefore = vmWrites();
      const started = Date.now();
      const batches: Promise<number>[] = [];
      for (let i = 0; i < events.length; i += 50) batches.push(post(events.slice(i, i + 50)));
      const statuses = await Promise.all(batches);
      const accepted = Date.now();
      await host.eventGridIdle();
      const handled = Date.now();
      await idle();
      const final = await pool();
      const vmWritten = vmWrites() - writesBefore;
      const net = Math.abs(to - from);
      return {
        name,
        from,
        to,
        final: final?.actual,
        allAccepted: statuses.every((s) => s === 200),
        webhookAcceptedPerSecond: Math.round(options.events / ((accepted - started) / 1000)),
        functionHandledPerSecond: Math.round(options.events / ((handled - started) / 1000)),
        vmWrites: vmWritten,
        netChange: net,
        writesPerNetChange: net === 0 ? NaN : Number((vmWritten / net).toFixed(2)),
      };
    };
    const jitterTo = Math.max(4, afterLatency - 7);
    const jitter = await burst('jitter ±3', afterLatency, jitterTo, (i) => jitterTo - 3 + (i % 7));
    const uniform = await burst('uniform 1..40', jitterTo, afterLatency, (i) => 1 + ((i * 13) % 40));

    const result = {
      events: options.events,
      latencySamples: latencies.length,
      eventToFirstArmWriteMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      bursts: [jitter, uniform],
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const lines = [
        `event → first ARM write (ScaleRequested +1, ${result.latencySamples} samples, time scale ${options.timeScale}):`,
        `  p50 ${result.eventToFirstArmWriteMs.p50} ms, p95 ${result.eventToFirstArmWriteMs.p95} ms`,
      ];
      for (const b of result.bursts) {
        lines.push(
          `burst of ${result.events} shuffled demands (${b.name}), ${b.from} → ${b.to} nodes (ended at ${String(b.final)}; all 200: ${String(b.allAccepted)}):`,
          `  webhook accepted ${b.webhookAcceptedPerSecond} events/s; Event Grid function handled ${b.functionHandledPerSecond} events/s`,
          `  VM writes ${b.vmWrites} / net change ${b.netChange} = ${b.writesPerNetChange}`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await host.close();
    await emulator.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
