/**
 * The ARM emulator as its own process (`npm run emulator`):
 *   --port 7443 --time-scale 1 --state-file .local/arm-state.json
 *   --seed-rg name:location (repeatable) --event-subscriber url (repeatable)
 *   --ca-file .local/arm-ca.pem --vcpu-quota 1000 --throttle (ARM's request limits, as on Azure)
 *   --compute-throttle azure|azure-legacy|off (Compute's VM request limits)
 *   --latency-model fixed|heavy-tail --seed N (the seed is printed; the same seed replays a run)
 * Environment fallbacks: EMULATOR_PORT, EMULATOR_TIME_SCALE, EMULATOR_STATE_FILE, EMULATOR_THROTTLE,
 * EMULATOR_COMPUTE_THROTTLE, EMULATOR_LATENCY_MODEL, EMULATOR_SEED, AZURE_SUBSCRIPTION_ID
 * (subscription of seeded resource groups).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type LatencyModelKind, parseLatencyModel, parseSeed } from './latencyModel';
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
  computeThrottle?: 'azure' | 'azure-legacy';
  latencyModel?: LatencyModelKind;
  seed?: number;
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

/** `EMULATOR_COMPUTE_THROTTLE`: `azure` or `azure-legacy` model Compute's limits; empty or `off` does not. */
export function parseComputeThrottle(value: string | undefined): 'azure' | 'azure-legacy' | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'off') return undefined;
  if (v === 'azure' || v === 'azure-legacy') return v;
  throw new UsageError(
    `EMULATOR_COMPUTE_THROTTLE must be 'azure', 'azure-legacy' or 'off', got '${value ?? ''}'`,
  );
}

/** `EMULATOR_LATENCY_MODEL`: `fixed` or `heavy-tail`; empty = the default (fixed). */
export function parseLatencyModelSetting(
  value: string | undefined,
  what = 'EMULATOR_LATENCY_MODEL',
): LatencyModelKind | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return undefined;
  try {
    return parseLatencyModel(v, what);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `EMULATOR_SEED`: an integer 0 … 2³²−1; empty = a random seed (printed at start). */
export function parseSeedSetting(value: string | undefined, what = 'EMULATOR_SEED'): number | undefined {
  if ((value ?? '').trim() === '') return undefined;
  try {
    return parseSeed(value, what);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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
  const computeThrottle = parseComputeThrottle(env.EMULATOR_COMPUTE_THROTTLE);
  if (computeThrottle) args.computeThrottle = computeThrottle;
  const latencyModel = parseLatencyModelSetting(env.EMULATOR_LATENCY_MODEL);
  if (latencyModel) args.latencyModel = latencyModel;
  const seed = parseSeedSetting(env.EMULATOR_SEED);
  if (seed !== undefined) args.seed = seed;
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
      case '--compute-throttle': {
        const v = parseComputeThrottle(take());
        if (v) args.computeThrottle = v;
        else delete args.computeThrottle;
        break;
      }
      case '--latency-model': {
        const v = parseLatencyModelSetting(take(), '--latency-model');
        if (v === undefined) throw new UsageError('--latency-model needs fixed or heavy-tail');
        args.latencyModel = v;
        break;
      }
      case '--seed': {
        const v = parseSeedSetting(take(), '--seed');
        if (v === undefined) throw new UsageError('--seed needs an integer');
        args.seed = v;
        break;
      }
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
    ...(args.computeThrottle ? { computeThrottle: args.computeThrottle } : {}),
    ...(args.latencyModel ? { latencyModel: args.latencyModel } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    eventSubscribers: args.subscribers,
    resourceGroups: args.seedGroups.map((g) => ({ ...g, ...(subscriptionId ? { subscriptionId } : {}) })),
    onRequest: (r) => {
      console.log(`${new Date(r.time).toISOString()} ${r.method} ${r.path} ${r.status} ${r.durationMs}ms`);
    },
  });
  fs.mkdirSync(path.dirname(path.resolve(args.caFile)), { recursive: true });
  fs.writeFileSync(args.caFile, emulator.caCertPem);
  console.log(`ARM emulator listening on ${emulator.url} (time scale ${args.timeScale})`);
  const { model, seed } = emulator.latency();
  console.log(`Latency model ${model}, seed ${seed} (replay with --seed ${seed})`);
  console.log(`CA certificate: ${path.resolve(args.caFile)} (set ARM_CA_CERT_FILE to it)`);
  console.log(
    `App principal ${emulator.appPrincipalId}: a bearer token without an oid claim acts as it on Key Vault's data plane`,
  );

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
