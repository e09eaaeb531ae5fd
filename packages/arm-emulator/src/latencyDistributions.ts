/**
 * The heavy-tailed latency model's figures: a median and a 99th percentile per resource type and
 * operation, at time scale 1. Each is a log-normal distribution fitted to those two figures
 * (median = e^μ, p99 = e^(μ + 2.326σ)). Where each figure comes from is in the README
 * ("Latency models"); most are estimates from public measurements, not published SLAs.
 *
 * Types not listed take their provider's fixed latency as the median and three times it as the
 * p99; types whose writes answer at once (fixed latency 0) stay at 0.
 */

export interface LatencyDistribution {
  /** Half the operations finish sooner than this (milliseconds at time scale 1). */
  medianMs: number;
  /** 99 % of the operations finish sooner than this (milliseconds at time scale 1). */
  p99Ms: number;
}

export interface TypeLatencyDistributions {
  write: LatencyDistribution;
  delete: LatencyDistribution;
}

const s = (seconds: number): number => seconds * 1000;
const d = (medianS: number, p99S: number): LatencyDistribution => ({
  medianMs: s(medianS),
  p99Ms: s(p99S),
});

/** Keyed by ARM type (canonical spelling). */
export const HEAVY_TAIL_LATENCY: Readonly<Record<string, TypeLatencyDistributions>> = {
  'Microsoft.Resources/resourceGroups': { write: d(0, 0), delete: d(15, 60) },
  'Microsoft.Network/virtualNetworks': { write: d(4, 15), delete: d(3, 12) },
  'Microsoft.Network/virtualNetworks/subnets': { write: d(3, 12), delete: d(3, 12) },
  'Microsoft.Network/networkSecurityGroups': { write: d(3, 10), delete: d(2.5, 10) },
  'Microsoft.Network/publicIPAddresses': { write: d(3.5, 12), delete: d(2.5, 10) },
  'Microsoft.Network/natGateways': { write: d(8, 30), delete: d(6, 25) },
  'Microsoft.Network/loadBalancers': { write: d(8, 30), delete: d(6, 25) },
  'Microsoft.Network/networkInterfaces': { write: d(2, 8), delete: d(2, 8) },
  'Microsoft.Compute/virtualMachines': { write: d(50, 180), delete: d(40, 120) },
  'Microsoft.Compute/virtualMachines/runCommands': { write: d(20, 90), delete: d(10, 40) },
  'Microsoft.ContainerService/managedClusters': { write: d(360, 900), delete: d(240, 600) },
  'Microsoft.ContainerService/managedClusters/agentPools': { write: d(180, 480), delete: d(120, 360) },
};

/** The p99 of a type without figures of its own, as a multiple of its fixed latency. */
export const DEFAULT_TAIL_RATIO = 3;

/** z of the 99th percentile of the standard normal distribution. */
export const Z_P99 = 2.3263478740408408;

/** A draw is never longer than this multiple of the type's p99 (keeps one outlier from ending a run). */
export const MAX_P99_MULTIPLE = 3;

/** σ of the log-normal with this median and p99. */
export function sigmaOf(dist: LatencyDistribution): number {
  if (dist.medianMs <= 0 || dist.p99Ms <= dist.medianMs) return 0;
  return Math.log(dist.p99Ms / dist.medianMs) / Z_P99;
}

/** Checks a distribution given as an option or through the control API. */
export function checkDistribution(key: string, value: unknown): LatencyDistribution {
  const v = value as Partial<LatencyDistribution> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.medianMs !== 'number' ||
    typeof v.p99Ms !== 'number' ||
    !Number.isFinite(v.medianMs) ||
    !Number.isFinite(v.p99Ms) ||
    v.medianMs < 0 ||
    v.p99Ms < v.medianMs
  ) {
    throw new Error(
      `latencyDistributions['${key}'] must be { medianMs ≥ 0, p99Ms ≥ medianMs }, got ${JSON.stringify(value)}`,
    );
  }
  return { medianMs: v.medianMs, p99Ms: v.p99Ms };
}
