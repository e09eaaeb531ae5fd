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

/**
 * Memory of a VM size in GiB, from its family's ratio per vCPU (D 4, E 8, F 2, ...) and the `l`
 * (less) and `m` (more) feature letters; burstable B sizes are listed. Undefined when unknown.
 */
export function memoryGiBOfVmSize(vmSize: string): number | undefined {
  const burstable: Record<string, number> = {
    standard_b1ls: 0.5,
    standard_b1s: 1,
    standard_b1ms: 2,
    standard_b2s: 4,
    standard_b2ms: 8,
    standard_b2ts_v2: 1,
    standard_b2ls_v2: 4,
    standard_b2s_v2: 8,
  };
  const listed = burstable[vmSize.toLowerCase()];
  if (listed !== undefined) return listed;
  const match = /^standard_([a-z]+?)(\d+)(?:-\d+)?([a-z]*)/i.exec(vmSize);
  if (!match) return undefined;
  const family = (match[1] ?? '').toUpperCase();
  const vcpus = Number(match[2]);
  const features = match[3] ?? '';
  const perVcpu: Record<string, number> = { A: 2, D: 4, E: 8, F: 2, L: 8, M: 14, N: 7, H: 4 };
  const ratio = perVcpu[family.charAt(0)];
  if (ratio === undefined || family.startsWith('B')) return undefined;
  const adjusted = features.includes('l') ? ratio / 2 : features.includes('m') ? ratio * 2 : ratio;
  return vcpus * adjusted;
}
