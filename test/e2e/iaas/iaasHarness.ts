/**
 * The IaaS e2e environment: the ARM emulator and the local Functions host running this app, talking
 * HTTPS to each other exactly as the app talks to ARM on Azure. Tests only use HTTP: the app's API
 * and the emulator's view of what exists.
 */
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  type ArmEmulator,
  type ArmEmulatorOptions,
  DEFAULT_SUBSCRIPTION_ID,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';
import type { HostLogger } from '@azure-cluster-provisioner/functions-host';
import { type RunningHost, startHost } from '@azure-cluster-provisioner/functions-host';
import { parse } from 'yaml';

import { expectConforms } from '../openApiConformance';

export const ROOT = path.resolve(__dirname, '../../..');
export const FUNCTION_KEY = 'e2e-function-key';
export const RESOURCE_GROUP = 'rg-demo';

export interface ClusterView {
  name: string;
  runtimeStatus: string;
  phase?: string;
  operation?: string;
  resources?: { done: number; total: number };
  zones?: Record<string, { nodesReady: number; nodesTotal: number }>;
  apiServer?: { ip: string; endpoint: string };
  error?: { resource: string; code: string; message: string };
  rolledBack?: boolean;
}

export interface ArmResource {
  id: string;
  name: string;
  type: string;
  zones?: string[];
  properties?: Record<string, unknown>;
}

/** A spec like examples/iaas-cluster.yaml (3 control-plane nodes, 2 pools, 3 zones) under another name. */
export function exampleSpec(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const spec = parse(fs.readFileSync(path.join(ROOT, 'examples/iaas-cluster.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  return { ...spec, name, ...overrides };
}

/** Settings the app reads (on Azure: app settings), pointing it at the emulator. */
export function appSettings(emulator: ArmEmulator, caFile: string, eventTopic = ''): Record<string, string> {
  return {
    AZURE_SUBSCRIPTION_ID: DEFAULT_SUBSCRIPTION_ID,
    ARM_ENDPOINT: emulator.url,
    ARM_CA_CERT_FILE: caFile,
    ARM_CREDENTIAL: 'static',
    ARM_POLL_INTERVAL_MS: '20',
    // Wall-clock seconds per Azure second, as the emulator runs: when an operation is worth reading.
    ...(typeof emulator.latency === 'function'
      ? { ARM_BUDGET_TIME_SCALE: String(Math.max(0.001, emulator.latency().timeScale)) }
      : {}),
    ARM_MAX_RETRIES: '0',
    ARM_RETRY_BASE_DELAY_MS: '20',
    ARM_RETRY_MAX_DELAY_MS: '200',
    LOCAL_HOST_FUNCTION_KEY: FUNCTION_KEY,
    EVENTGRID_TOPIC_ENDPOINT: eventTopic,
    EVENTGRID_TOPIC_KEY: eventTopic ? 'e2e-topic-key' : '',
  };
}

export interface Environment {
  emulator: ArmEmulator;
  host: RunningHost;
  tempDir: string;
  /** Lifecycle events the app published to the (loopback) Event Grid topic. */
  events: { eventType: string; subject: string; data: Record<string, unknown> }[];
  /** Host log lines (warnings and errors), for failure messages. */
  logs: string[];
  api: Api;
  close(): Promise<void>;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly emulator: ArmEmulator,
  ) {}

  async request(
    method: string,
    route: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; headers: Headers; json: unknown }> {
    const sep = route.includes('?') ? '&' : '?';
    const res = await fetch(`${this.baseUrl}/api/${route}${sep}code=${FUNCTION_KEY}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // not JSON: keep the text
    }
    // Every answer an e2e test receives must be one the OpenAPI document describes.
    expectConforms(method, `/${route}`, res.status, json);
    return { status: res.status, headers: res.headers, json };
  }

  async cluster(name: string): Promise<ClusterView> {
    const res = await this.request('GET', `clusters/${name}`);
    if (res.status !== 200)
      throw new Error(`GET clusters/${name}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json as ClusterView;
  }

  /** Polls the cluster's status until its operation finished; returns every phase seen on the way. */
  async waitForCluster(name: string, timeoutMs = 45_000): Promise<{ final: ClusterView; phases: string[] }> {
    const phases: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.cluster(name);
      if (view.phase && phases.at(-1) !== view.phase) phases.push(view.phase);
      if (['Completed', 'Failed', 'Terminated'].includes(view.runtimeStatus)) return { final: view, phases };
      if (Date.now() > deadline) throw new Error(`cluster ${name} still ${view.runtimeStatus}/${view.phase}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  writes(): number {
    return this.emulator.operations().filter((o) => o.write).length;
  }

  /**
   * Resources the emulator holds for one cluster: names that start with `<cluster>-`, its subnets,
   * what carries its tag (the Key Vault), and role assignments scoped inside those. A vault's secrets
   * are its content, not resources of the plan: they are not listed (they go with the vault).
   */
  clusterResources(name: string): ArmResource[] {
    const all = (this.emulator.resources() as (ArmResource & { tags?: Record<string, string> })[]).filter(
      (r) => /\/providers\//i.test(r.id) && r.type.toLowerCase() !== 'microsoft.keyvault/vaults/secrets',
    );
    const own = all.filter(
      (r) =>
        r.name.startsWith(`${name}-`) ||
        r.id.includes(`/virtualNetworks/${name}-vnet/`) ||
        r.tags?.['clusterProvisioner.cluster'] === name,
    );
    const scopes = own.map((r) => `${r.id.toLowerCase()}/`);
    return all.filter((r) => own.includes(r) || scopes.some((scope) => r.id.toLowerCase().startsWith(scope)));
  }
}

/** Keeps warnings and errors (the host's info log is one line per invocation: too chatty for tests). */
export function collectingLogger(lines: string[]): HostLogger {
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`);
  return { info: () => undefined, warn: keep('warn'), error: keep('error') };
}

export async function startEnvironment(
  timeScale: number,
  extraSettings: Record<string, string> = {},
  emulatorOptions: Partial<ArmEmulatorOptions> = {},
): Promise<Environment> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iaas-e2e-'));
  const logs: string[] = [];
  const emulator = await startArmEmulator({
    port: 0,
    timeScale,
    resourceGroups: [{ name: RESOURCE_GROUP, location: 'eastus' }],
    ...emulatorOptions,
  });
  const caFile = path.join(tempDir, 'arm-ca.pem');
  fs.writeFileSync(caFile, emulator.caCertPem);
  // A loopback stand-in for the Event Grid topic: records what the app publishes.
  const events: Environment['events'] = [];
  const topic = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      events.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Environment['events']));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => topic.listen(0, '127.0.0.1', resolve));
  const topicUrl = `http://127.0.0.1:${(topic.address() as AddressInfo).port}/api/events`;
  const host = await startHost({
    appDir: ROOT,
    port: 0,
    settings: { ...appSettings(emulator, caFile, topicUrl), ...extraSettings },
    stateDir: path.join(tempDir, 'host'),
    logger: collectingLogger(logs),
  });
  return {
    emulator,
    host,
    tempDir,
    events,
    logs,
    api: new Api(host.url, emulator),
    close: async () => {
      await host.close();
      await emulator.close();
      await new Promise<void>((resolve) => topic.close(() => resolve()));
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
