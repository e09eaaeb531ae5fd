/**
 * The ARM emulator as its own process (`npm run emulator`):
 *   --port 7443 --time-scale 1 --state-file .local/arm-state.json
 *   --seed-rg name:location (repeatable) --event-subscriber url (repeatable)
 *   --ca-file .local/arm-ca.pem --vcpu-quota 1000 --throttle (ARM's request limits, as on Azure)
 * Environment fallbacks: EMULATOR_PORT, EMULATOR_TIME_SCALE, EMULATOR_STATE_FILE,
 * AZURE_SUBSCRIPTION_ID (subscription of seeded resource groups).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startArmEmulator } from './startArmEmulator';

interface MainArgs {
  port: number;
  timeScale: number;
  stateFile?: string;
  caFile: string;
  seedGroups: { name: string; location: string }[];
  subscribers: string[];
  vcpuQuota?: number;
  throttle?: boolean;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseNumber(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${flag} needs a non-negative number, got '${raw ?? ''}'`);
  }
  return value;
}

/** `EMULATOR_THROTTLE`: `azure` models ARM's request limits; empty or `off` does not. */
export function parseThrottle(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'off') return false;
  if (v === 'azure') return true;
  throw new UsageError(`EMULATOR_THROTTLE must be 'azure' or 'off', got '${value ?? ''}'`);
}

export function parseMainArgs(argv: string[], env: Record<string, string | undefined>): MainArgs {
  const args: MainArgs = {
    port: parseNumber('EMULATOR_PORT', env.EMULATOR_PORT ?? '7443'),
    timeScale: parseNumber('EMULATOR_TIME_SCALE', env.EMULATOR_TIME_SCALE ?? '1'),
    caFile: '.local/arm-emulator-ca.pem',
    seedGroups: [],
    subscribers: [],
  };
  if (env.EMULATOR_STATE_FILE) args.stateFile = env.EMULATOR_STATE_FILE;
  if (parseThrottle(env.EMULATOR_THROTTLE)) args.throttle = true;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const take = (): string => {
      if (value === undefined) throw new UsageError(`${flag ?? ''} needs a value`);
      i++;
      return value;
    };
    switch (flag) {
      case '--port':
        args.port = parseNumber(flag, take());
        break;
      case '--time-scale':
        args.timeScale = parseNumber(flag, take());
        break;
      case '--state-file':
        args.stateFile = take();
        break;
      case '--ca-file':
        args.caFile = take();
        break;
      case '--throttle':
        args.throttle = true;
        break;
      case '--vcpu-quota':
        args.vcpuQuota = parseNumber(flag, take());
        break;
      case '--event-subscriber':
        args.subscribers.push(take());
        break;
      case '--seed-rg': {
        const spec = take();
        const [name, location] = spec.split(':');
        if (!name || !location) throw new UsageError(`--seed-rg needs name:location, got '${spec}'`);
        args.seedGroups.push({ name, location });
        break;
      }
      default:
        throw new UsageError(`unknown argument '${flag ?? ''}'`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseMainArgs(process.argv.slice(2), process.env);
  const subscriptionId = process.env.AZURE_SUBSCRIPTION_ID;
  const emulator = await startArmEmulator({
    port: args.port,
    timeScale: args.timeScale,
    ...(args.stateFile !== undefined ? { stateFile: args.stateFile } : {}),
    ...(args.vcpuQuota !== undefined ? { vcpuQuotaPerRegion: args.vcpuQuota } : {}),
    ...(args.throttle ? { throttle: 'azure' as const } : {}),
    eventSubscribers: args.subscribers,
    resourceGroups: args.seedGroups.map((g) => ({ ...g, ...(subscriptionId ? { subscriptionId } : {}) })),
    onRequest: (r) => {
      console.log(`${new Date(r.time).toISOString()} ${r.method} ${r.path} ${r.status} ${r.durationMs}ms`);
    },
  });
  fs.mkdirSync(path.dirname(path.resolve(args.caFile)), { recursive: true });
  fs.writeFileSync(args.caFile, emulator.caCertPem);
  console.log(`ARM emulator listening on ${emulator.url} (time scale ${args.timeScale})`);
  console.log(`CA certificate: ${path.resolve(args.caFile)} (set ARM_CA_CERT_FILE to it)`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof UsageError ? `usage: ${err.message}` : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
