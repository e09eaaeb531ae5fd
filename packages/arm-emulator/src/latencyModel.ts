import { DEFAULT_LATENCY_MS } from './providers';

/*
 * How long each ARM operation takes, per resource type, at time scale 1: each provider declares
 * its own (orders of magnitude seen on Azure: VNet/NSG/subnet/public IP a few seconds, NAT gateway
 * and load balancer 5–10 s, NIC ~2 s, VM about a minute, AKS cluster minutes). Everything is
 * multiplied by the time scale (0 = instant, for unit tests).
 */
export { DEFAULT_LATENCY_MS };

/**
 * Overrides are keyed by ARM type (any case); `<type>:delete` sets the delete latency alone,
 * otherwise one value sets both.
 */
export class LatencyModel {
  private readonly overrides = new Map<string, number>();

  constructor(
    overrides: Partial<Record<string, number>> = {},
    private timeScale = 1,
  ) {
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) continue;
      if (!Number.isFinite(value) || value < 0) {
        throw new Error(`latencyMs['${key}'] must be a non-negative number, got ${value}`);
      }
      this.overrides.set(key.toLowerCase(), value);
    }
    this.setTimeScale(timeScale);
  }

  get scale(): number {
    return this.timeScale;
  }

  setTimeScale(timeScale: number): void {
    if (!Number.isFinite(timeScale) || timeScale < 0) {
      throw new Error(`timeScale must be a non-negative number, got ${timeScale}`);
    }
    this.timeScale = timeScale;
  }

  /** Milliseconds (already scaled) a write or delete of `type` takes. */
  durationMs(type: string, kind: 'write' | 'delete'): number {
    const key = type.toLowerCase();
    const base =
      (kind === 'delete' ? this.overrides.get(`${key}:delete`) : undefined) ??
      this.overrides.get(key) ??
      DEFAULT_LATENCY_MS[key]?.[kind] ??
      1_000;
    return Math.round(base * this.timeScale);
  }
}
