import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  type ArmEmulator,
  parseComputeThrottle,
  parseLatencyModelSetting,
  parseSeedSetting,
  parseThrottle,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';
import {
  closeOnSignals,
  createJsonLogger,
  durableManagementUrl,
  effectiveSettings,
  eventGridWebhookUrl,
  findProjectRoot,
  parsePort,
  printBanner,
  readLocalSettings,
  type RunningHost,
  startHost,
} from '@azure-cluster-provisioner/functions-host';
import { parse as parseYaml } from 'yaml';

/**
 * `npm start`: the whole system offline. Starts the ARM emulator in-process (when ARM_ENDPOINT is
 * `emulator`, the sample's default) with a seeded resource group, then this app on the local Functions
 * host pointed at it, subscribes the app's ARM-events function to the emulator's resource events, and
 * prints how to create a cluster. With ARM_ENDPOINT set to a real endpoint (in local.settings.json or the
 * environment) no emulator starts and the settings reach the app untouched: the app talks to Azure.
 */

export class StartError extends Error {
  override readonly name = 'StartError';
}

const DEMO_RESOURCE_GROUP = { name: 'rg-demo', location: 'eastus' };

/** `{ [key]: value }` when the setting is given, `{}` otherwise (exactOptionalPropertyTypes). */
function optionalSetting<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function numberSetting(settings: Record<string, string>, key: string, fallback: number): number {
  const raw = settings[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new StartError(`Setting ${key} must be a non-negative number.`);
  return value;
}

/** The Event Grid function that should receive ARM's resource events: named after ARM/resources, or the only one. */
export function findArmEventsFunction(host: RunningHost, preferred?: string): string | undefined {
  const eventGrid = [...host.registrations.values()].filter(
    (r) => r.triggerType.toLowerCase() === 'eventgridtrigger',
  );
  if (preferred) return eventGrid.some((r) => r.name === preferred) ? preferred : undefined;
  const named = eventGrid.find((r) => /arm|resource/i.test(r.name));
  if (named) return named.name;
  return eventGrid.length === 1 ? eventGrid[0]!.name : undefined;
}

/** The example spec's cluster name and first node pool, for the how-to lines of the banner. */
function exampleCluster(root: string): { name: string; pool: string } {
  try {
    const spec = parseYaml(fs.readFileSync(path.join(root, 'examples', 'iaas-cluster.yaml'), 'utf8')) as {
      name?: unknown;
      nodePools?: { name?: unknown }[];
    };
    const pool = spec.nodePools?.[0]?.name;
    return {
      name: typeof spec.name === 'string' ? spec.name : 'demo',
      pool: typeof pool === 'string' ? pool : 'general',
    };
  } catch {
    return { name: 'demo', pool: 'general' };
  }
}

async function main(): Promise<void> {
  const root = findProjectRoot(__dirname);
  const local = readLocalSettings(root);
  const settings = effectiveSettings(local.values);
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  if (local.file) write(`Settings from ${local.file}`);

  let emulator: ArmEmulator | undefined;
  if ((settings.ARM_ENDPOINT ?? 'emulator').toLowerCase() === 'emulator') {
    const stateFile = settings.EMULATOR_STATE_FILE
      ? path.resolve(root, settings.EMULATOR_STATE_FILE)
      : undefined;
    emulator = await startArmEmulator({
      port: parsePort(settings.EMULATOR_PORT, 7443),
      timeScale: numberSetting(settings, 'EMULATOR_TIME_SCALE', 1),
      ...(parseThrottle(settings.EMULATOR_THROTTLE) ? { throttle: 'azure' as const } : {}),
      ...optionalSetting('computeThrottle', parseComputeThrottle(settings.EMULATOR_COMPUTE_THROTTLE)),
      ...optionalSetting('latencyModel', parseLatencyModelSetting(settings.EMULATOR_LATENCY_MODEL)),
      ...optionalSetting('seed', parseSeedSetting(settings.EMULATOR_SEED)),
      stateFile,
      resourceGroups: [
        { ...DEMO_RESOURCE_GROUP, subscriptionId: settings.AZURE_SUBSCRIPTION_ID || undefined },
      ],
    });
    const caFile = path.join(root, '.local', 'arm-ca.pem');
    fs.mkdirSync(path.dirname(caFile), { recursive: true });
    fs.writeFileSync(caFile, emulator.caCertPem);
    settings.ARM_ENDPOINT = emulator.url;
    settings.ARM_CA_CERT_FILE = caFile;
    write(
      `ARM emulator on ${emulator.url} (CA certificate ${caFile}; resource group ${DEMO_RESOURCE_GROUP.name})`,
    );
    const latency = emulator.latency();
    write(
      `ARM emulator latency model ${latency.model}, seed ${latency.seed} (EMULATOR_SEED=${latency.seed} replays it)`,
    );
  } else {
    write(`Using ARM endpoint ${settings.ARM_ENDPOINT} (no emulator)`);
  }

  let host: RunningHost;
  try {
    const stateDir = settings.LOCAL_HOST_STATE_DIR
      ? path.resolve(root, settings.LOCAL_HOST_STATE_DIR)
      : undefined;
    host = await startHost({
      appDir: root,
      port: parsePort(settings.LOCAL_HOST_PORT, 7071),
      settings,
      stateDir,
      logger: createJsonLogger(),
    });
  } catch (err) {
    await emulator?.close();
    throw err;
  }

  if (emulator) {
    const armEvents = findArmEventsFunction(host, settings.LOCAL_ARM_EVENTS_FUNCTION || undefined);
    if (armEvents) {
      // With the eventgrid_extension system key, as an Event Grid subscription endpoint has it on Azure.
      emulator.addEventSubscriber(eventGridWebhookUrl(host, armEvents));
      write(`ARM resource events are delivered to function ${armEvents}`);
    }
  }

  printBanner(host, write);
  const key = host.keys.functionKeys.default ?? '';
  const { name, pool } = exampleCluster(root);
  const api = host.config.routePrefix === '' ? host.url : `${host.url}/${host.config.routePrefix}`;
  write('');
  write('Create a cluster:');
  write(
    `  curl -X POST '${api}/clusters?code=${key}' -H 'content-type: application/yaml' --data-binary @examples/iaas-cluster.yaml`,
  );
  write('Watch its status:');
  write(`  curl '${api}/clusters/${name}?code=${key}'`);
  write(`  curl '${durableManagementUrl(host)}'`);
  write('Scale a pool to an explicit count (docs/scaling.md):');
  write(
    `  curl -X POST '${api}/clusters/${name}/nodepools/${pool}/scale?code=${key}' -H 'content-type: application/json' -d '{"count": 9}'`,
  );
  write('Send a node-scaling event the way an Event Grid WebHook subscription does:');
  write(
    `  curl -X POST '${api}/events/scaling?code=${key}' -H 'content-type: application/json' -H 'aeg-event-type: Notification' -d '[{"id":"demo-1","subject":"clusters/${name}/nodepools/${pool}","eventType":"ClusterProvisioner.NodePool.ScaleRequested","eventTime":"2026-01-01T00:00:00Z","dataVersion":"1.0","data":{"clusterName":"${name}","nodePool":"${pool}","delta":1}}]'`,
  );
  write('Press Ctrl+C to stop.');

  closeOnSignals(async () => {
    try {
      await host.close();
    } finally {
      await emulator?.close();
    }
  }, write);
}

/** What to tell a user whose `npm start` failed; a busy port is the common case and has a remedy. */
export function startFailure(err: unknown): string {
  const e = err as { code?: unknown; port?: unknown; message?: unknown } | null;
  if (e && e.code === 'EADDRINUSE') {
    return `Port ${typeof e.port === 'number' ? e.port : ''} is already in use (is another \`npm start\` running?). Stop it, or pick other ports with EMULATOR_PORT and LOCAL_HOST_PORT in local.settings.json.`;
  }
  return typeof e?.message === 'string' ? e.message : String(err);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${startFailure(err)}\n`);
    process.exit(1);
  });
}
