/**
 * How long each ARM operation takes, per resource type, at time scale 1 (orders of magnitude seen
 * on Azure: VNet/NSG/subnet/public IP a few seconds, NAT gateway and load balancer 5–10 s, NIC
 * ~2 s, VM about a minute, AKS cluster minutes). Everything is multiplied by the time scale
 * (0 = instant, for unit tests).
 */
export const DEFAULT_LATENCY_MS: Readonly<Record<string, { write: number; delete: number }>> = {
  'microsoft.resources/resourcegroups': { write: 0, delete: 15_000 },
  'microsoft.network/virtualnetworks': { write: 4_000, delete: 3_000 },
  'microsoft.network/virtualnetworks/subnets': { write: 3_000, delete: 3_000 },
  'microsoft.network/networksecuritygroups': { write: 3_000, delete: 2_500 },
  'microsoft.network/publicipaddresses': { write: 3_500, delete: 2_500 },
  'microsoft.network/natgateways': { write: 8_000, delete: 6_000 },
  'microsoft.network/loadbalancers': { write: 8_000, delete: 6_000 },
  'microsoft.network/networkinterfaces': { write: 2_000, delete: 2_000 },
  'microsoft.compute/virtualmachines': { write: 60_000, delete: 45_000 },
  'microsoft.containerservice/managedclusters': { write: 300_000, delete: 240_000 },
  'microsoft.containerservice/managedclusters/agentpools': { write: 180_000, delete: 120_000 },
};

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
