import { createHash, randomInt } from 'node:crypto';

import {
  checkDistribution,
  DEFAULT_TAIL_RATIO,
  HEAVY_TAIL_LATENCY,
  type LatencyDistribution,
  MAX_P99_MULTIPLE,
  sigmaOf,
} from './latencyDistributions';
import { DEFAULT_LATENCY_MS } from './providers';

/*
 * How long each ARM operation takes, per resource type, at time scale 1, in one of two models:
 *
 * - `fixed`: a constant per type and method, declared by each provider (VNet/NSG/subnet/public IP a
 *   few seconds, NAT gateway and load balancer 5–10 s, NIC ~2 s, VM about a minute, AKS cluster
 *   minutes). Every VM takes exactly as long as every other.
 * - `heavy-tail`: a log-normal per type and method fitted to a median and a p99
 *   (`latencyDistributions.ts`), drawn from a seed. The draw is keyed on the seed, the resource id,
 *   the method and how many operations of that method the resource has had before — never on
 *   arrival order — so the same seed gives every resource the same latency however many requests
 *   run at once.
 *
 * Everything is multiplied by the time scale (0 = instant, for unit tests). Every operation's drawn
 * latency is kept (`draws()`, `GET /_emulator/latencies`) so a bench can compute the critical path
 * from what each resource actually drew.
 */
export { DEFAULT_LATENCY_MS };

export type LatencyModelKind = 'fixed' | 'heavy-tail';
export const LATENCY_MODELS: readonly LatencyModelKind[] = ['fixed', 'heavy-tail'];

/** One operation's latency, as drawn when it started. */
export interface LatencyDraw {
  /** Order in which operations started (1, 2, …). */
  seq: number;
  /** The resource id as the request spelled it. */
  id: string;
  type: string;
  kind: 'write' | 'delete';
  /** How many operations of this kind the resource had before this one (0 = its first). */
  occurrence: number;
  model: LatencyModelKind;
  /** The drawn latency at time scale 1, milliseconds. */
  baseMs: number;
  /** What the operation takes at the time scale it started under, milliseconds. */
  durationMs: number;
  /** Epoch milliseconds when the operation started. */
  startedAt: number;
  /** The long-running operation it belongs to. */
  operationId?: string;
}

export interface LatencyModelOptions {
  model?: LatencyModelKind;
  /** Seed of the heavy-tailed draws (an integer 0 … 2³²−1); a random one when absent. */
  seed?: number;
  /** Heavy-tail figures per type (any case); `<type>:delete` for deletes only. */
  distributions?: Partial<Record<string, LatencyDistribution>>;
}

const MAX_DRAWS = 200_000;

/** An integer seed 0 … 2³²−1 from a number or a decimal string; throws naming `what` otherwise. */
export function parseSeed(value: unknown, what = 'seed'): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new Error(`${what} must be an integer from 0 to 4294967295, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parseLatencyModel(value: unknown, what = 'latencyModel'): LatencyModelKind {
  if (typeof value === 'string' && (LATENCY_MODELS as readonly string[]).includes(value)) {
    return value as LatencyModelKind;
  }
  throw new Error(`${what} must be one of ${LATENCY_MODELS.join(', ')}, got ${JSON.stringify(value)}`);
}

/**
 * Overrides are keyed by ARM type (any case); `<type>:delete` sets the delete latency alone,
 * otherwise one value sets both. A `latencyMs` override pins the type to that constant in either
 * model.
 */
export class LatencyModel {
  private readonly overrides = new Map<string, number>();
  private readonly distributions = new Map<string, LatencyDistribution>();
  private readonly occurrences = new Map<string, number>();
  private readonly log: LatencyDraw[] = [];
  private seq = 0;
  private modelKind: LatencyModelKind;
  private seedValue: number;

  constructor(
    overrides: Partial<Record<string, number>> = {},
    private timeScale = 1,
    options: LatencyModelOptions = {},
  ) {
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) continue;
      if (!Number.isFinite(value) || value < 0) {
        throw new Error(`latencyMs['${key}'] must be a non-negative number, got ${value}`);
      }
      this.overrides.set(key.toLowerCase(), value);
    }
    for (const [key, value] of Object.entries(options.distributions ?? {})) {
      if (value === undefined) continue;
      this.distributions.set(key.toLowerCase(), checkDistribution(key, value));
    }
    this.modelKind = parseLatencyModel(options.model ?? 'fixed');
    this.seedValue = options.seed === undefined ? randomInt(0, 2 ** 31) : parseSeed(options.seed);
    this.setTimeScale(timeScale);
  }

  get scale(): number {
    return this.timeScale;
  }

  get model(): LatencyModelKind {
    return this.modelKind;
  }

  get seed(): number {
    return this.seedValue;
  }

  setTimeScale(timeScale: number): void {
    if (!Number.isFinite(timeScale) || timeScale < 0) {
      throw new Error(`timeScale must be a non-negative number, got ${timeScale}`);
    }
    this.timeScale = timeScale;
  }

  setModel(model: LatencyModelKind): void {
    this.modelKind = parseLatencyModel(model);
  }

  /** A new seed; counting operations per resource starts again, so a run after this replays. */
  setSeed(seed: number): void {
    this.seedValue = parseSeed(seed);
    this.occurrences.clear();
  }

  /** Forgets every draw and per-resource count (the seed and model stay). */
  reset(): void {
    this.occurrences.clear();
    this.log.length = 0;
    this.seq = 0;
  }

  /** The fixed model's milliseconds (already scaled) for a write or delete of `type`. */
  durationMs(type: string, kind: 'write' | 'delete'): number {
    return Math.round(this.fixedMs(type, kind) * this.timeScale);
  }

  /** The median and p99 (time scale 1) the heavy-tailed model uses for `type`. */
  distribution(type: string, kind: 'write' | 'delete'): LatencyDistribution {
    const key = type.toLowerCase();
    const pinned = this.pinned(key, kind);
    if (pinned !== undefined) return { medianMs: pinned, p99Ms: pinned };
    const own =
      (kind === 'delete' ? this.distributions.get(`${key}:delete`) : undefined) ??
      this.distributions.get(key) ??
      HEAVY_TAIL_DISTRIBUTIONS.get(key)?.[kind];
    if (own) return own;
    const fixed = this.fixedMs(type, kind);
    return { medianMs: fixed, p99Ms: fixed * DEFAULT_TAIL_RATIO };
  }

  /**
   * The latency of one operation on resource `id`, drawn under the current model and kept in the
   * draw log. Returns the record (its `durationMs` is scaled); the caller may add the operation id.
   */
  draw(type: string, kind: 'write' | 'delete', id: string): LatencyDraw {
    const countKey = `${id.toLowerCase()}|${kind}`;
    const occurrence = this.occurrences.get(countKey) ?? 0;
    this.occurrences.set(countKey, occurrence + 1);
    const baseMs =
      this.modelKind === 'fixed' ? this.fixedMs(type, kind) : this.heavyTailMs(type, kind, id, occurrence);
    const record: LatencyDraw = {
      seq: ++this.seq,
      id,
      type,
      kind,
      occurrence,
      model: this.modelKind,
      baseMs,
      durationMs: Math.round(baseMs * this.timeScale),
      startedAt: Date.now(),
    };
    this.log.push(record);
    if (this.log.length > MAX_DRAWS) this.log.splice(0, this.log.length - MAX_DRAWS * 0.9);
    return record;
  }

  /** Every draw kept, oldest first. */
  draws(): LatencyDraw[] {
    return this.log.map((d) => ({ ...d }));
  }

  /**
   * The heavy-tailed latency (time scale 1) of the `occurrence`-th `kind` operation on `id` under
   * the current seed: a pure function of those, so the same seed replays the same run.
   */
  heavyTailMs(type: string, kind: 'write' | 'delete', id: string, occurrence = 0): number {
    const dist = this.distribution(type, kind);
    const sigma = sigmaOf(dist);
    if (sigma === 0) return dist.medianMs;
    const z = standardNormal(`${this.seedValue}|${id.toLowerCase()}|${kind}|${occurrence}`);
    const ms = dist.medianMs * Math.exp(sigma * z);
    return Math.round(Math.min(ms, dist.p99Ms * MAX_P99_MULTIPLE));
  }

  private pinned(key: string, kind: 'write' | 'delete'): number | undefined {
    return (kind === 'delete' ? this.overrides.get(`${key}:delete`) : undefined) ?? this.overrides.get(key);
  }

  /** The fixed model's latency of `type` at time scale 1. */
  fixedMs(type: string, kind: 'write' | 'delete'): number {
    const key = type.toLowerCase();
    return this.pinned(key, kind) ?? DEFAULT_LATENCY_MS[key]?.[kind] ?? 1_000;
  }
}

const HEAVY_TAIL_DISTRIBUTIONS = new Map(
  Object.entries(HEAVY_TAIL_LATENCY).map(([type, dists]) => [type.toLowerCase(), dists]),
);

/**
 * A standard normal deviate determined by `key`: two uniforms from its SHA-256, through the
 * Box–Muller transform.
 */
function standardNormal(key: string): number {
  const digest = createHash('sha256').update(key).digest();
  // 48 bits each: u1 in (0, 1] so its logarithm is finite, u2 in [0, 1).
  const u1 = (digest.readUIntBE(0, 6) + 1) / 2 ** 48;
  const u2 = digest.readUIntBE(6, 6) / 2 ** 48;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
