import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { type RunningHost, startHost } from './host';
import { createJsonLogger } from './hostLogger';
import { effectiveSettings, findProjectRoot, readLocalSettings } from './readLocalSettings';

/**
 * `functions-host [--app <dir>] [--port <n>] [--state-dir <dir>]`: runs any Node.js v4
 * Functions app folder on the local host, like `func start` (settings from local.settings.json, else the
 * sample). Defaults: this project, port LOCAL_HOST_PORT or 7071, state in LOCAL_HOST_STATE_DIR or
 * `<app>/.local/host`. SIGINT/SIGTERM stop it cleanly; a second signal exits at once.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The management API's instance list, with the `durabletask_extension` system key it requires. */
export function durableManagementUrl(host: RunningHost): string {
  const code = encodeURIComponent(host.keys.systemKeys.durabletask_extension);
  return `${host.url}/runtime/webhooks/durabletask/instances?code=${code}`;
}

/** The host's Event Grid webhook for one function, with the system key the webhook requires. */
export function eventGridWebhookUrl(host: RunningHost, functionName: string): string {
  const code = encodeURIComponent(host.keys.systemKeys.eventgrid_extension);
  return `${host.url}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(functionName)}&code=${code}`;
}

export function printBanner(host: RunningHost, write: (line: string) => void): void {
  write(`Local Functions host listening on ${host.url}`);
  write('Functions:');
  for (const endpoint of host.endpoints) {
    const methods = endpoint.methods ? `[${endpoint.methods.join(',') || 'ALL'}] ` : '';
    const auth =
      endpoint.authLevel && endpoint.authLevel !== 'anonymous' ? `  (authLevel ${endpoint.authLevel})` : '';
    write(
      `  ${endpoint.name}: ${endpoint.trigger}${endpoint.url ? `  ${methods}${endpoint.url}` : ''}${auth}`,
    );
  }
  for (const skipped of host.unsupported) write(`  ${skipped.name}: ${skipped.trigger} (not served locally)`);
  if (host.endpoints.some((e) => e.authLevel === 'function' || e.authLevel === 'admin')) {
    write(`Function key (?code= or x-functions-key): ${host.keys.functionKeys.default ?? '(none)'}`);
  }
  if (host.durable) write(`Durable management API: ${durableManagementUrl(host)}`);
  write(`Keys file (master, function and system keys): ${host.keysFile}`);
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}".`);
  }
  return port;
}

/** Stops the host on SIGINT/SIGTERM; a second signal exits immediately. */
export function closeOnSignals(close: () => Promise<void>, log: (line: string) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal} received, stopping...`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`Shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { app: { type: 'string' }, port: { type: 'string' }, 'state-dir': { type: 'string' } },
    allowPositionals: false,
  });
  const appDir = path.resolve(values.app ?? findProjectRoot(process.cwd()));
  const local = readLocalSettings(appDir);
  const settings = effectiveSettings(local.values);
  const port = parsePort(values.port ?? settings.LOCAL_HOST_PORT, 7071);
  const stateDirSetting = values['state-dir'] ?? settings.LOCAL_HOST_STATE_DIR;
  const stateDir = stateDirSetting
    ? path.resolve(values['state-dir'] ? process.cwd() : appDir, stateDirSetting)
    : undefined;
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  if (local.file) write(`Settings from ${local.file}`);
  const host = await startHost({ appDir, port, settings, stateDir, logger: createJsonLogger() });
  printBanner(host, write);
  closeOnSignals(() => host.close(), write);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
