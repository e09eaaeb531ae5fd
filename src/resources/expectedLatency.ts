/**
 * How long ARM usually takes per resource type: when an operation just started is first worth reading.
 *
 * Medians (Azure seconds) are the figures the emulator's heavy-tailed model is fitted to
 * (packages/arm-emulator/src/latencyDistributions.ts documents where each comes from: Azure's own docs,
 * issue reports and measurements; several are marked as estimates). An operation is first read at
 * FIRST_READ_FRACTION of its median — a log-normal with ARM's spread finishes before that only a few
 * times in a hundred — and then every poll interval. ARM's `Retry-After` on the operation, when it
 * sends one, is honoured by the SDK's poller on top of this.
 */

const MEDIAN_SECONDS: Readonly<Record<string, { write: number; delete: number }>> = {
  'microsoft.network/virtualnetworks': { write: 4, delete: 3 },
  'microsoft.network/virtualnetworks/subnets': { write: 3, delete: 3 },
  'microsoft.network/networksecuritygroups': { write: 3, delete: 2.5 },
  'microsoft.network/publicipaddresses': { write: 3.5, delete: 2.5 },
  'microsoft.network/natgateways': { write: 8, delete: 6 },
  'microsoft.network/loadbalancers': { write: 8, delete: 6 },
  'microsoft.network/networkinterfaces': { write: 2, delete: 2 },
  'microsoft.compute/virtualmachines': { write: 50, delete: 40 },
  // A Flexible set's operation ends with its slowest member (NIC then VM): at least a VM's median.
  'microsoft.compute/virtualmachinescalesets': { write: 52, delete: 40 },
  'microsoft.containerservice/managedclusters': { write: 360, delete: 240 },
  'microsoft.containerservice/managedclusters/agentpools': { write: 180, delete: 120 },
  'microsoft.kubernetesconfiguration/extensions': { write: 90, delete: 60 },
  'microsoft.kubernetesconfiguration/fluxconfigurations': { write: 30, delete: 30 },
  'microsoft.storage/storageaccounts': { write: 20, delete: 5 },
};

/** An operation is first read at this fraction of its type's median. */
export const FIRST_READ_FRACTION = 0.4;

/** Types without a figure: read after a second. */
const DEFAULT_SECONDS = 1;

/**
 * Wall-clock milliseconds after its start when an operation of `type` is first worth reading.
 * `timeScale` is wall-clock seconds per Azure second (1 on Azure; the emulator's time scale locally).
 */
export function firstReadAfterMs(type: string, kind: 'apply' | 'delete', timeScale: number): number {
  return medianSeconds(type, kind) * 1000 * FIRST_READ_FRACTION * timeScale;
}

/** The usual (median) time ARM takes for an operation on `type`, in Azure seconds. */
export function medianSeconds(type: string, kind: 'apply' | 'delete'): number {
  const figures = MEDIAN_SECONDS[type.toLowerCase()];
  return figures ? (kind === 'apply' ? figures.write : figures.delete) : DEFAULT_SECONDS;
}
