/**
 * vCPUs of an Azure VM size, read from its name the way Azure names sizes:
 * `Standard_<family letters><vCPUs><features>[_<version>]`, e.g. Standard_D4s_v5 → 4,
 * Standard_B2ms → 2, Standard_M128ms → 128. Constrained sizes (Standard_E4-2s_v3) count the
 * full core count, as quota does.
 */
export function vcpusOfVmSize(vmSize: string): number | undefined {
  const match = /^(?:standard|basic)_[a-z]+?(\d+)/i.exec(vmSize);
  const digits = match?.[1];
  if (digits === undefined) return undefined;
  const vcpus = Number.parseInt(digits, 10);
  return vcpus > 0 ? vcpus : undefined;
}
