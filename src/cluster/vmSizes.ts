/**
 * What a VM size name says about its capacity. Azure names sizes
 * `Standard_<family><vCPUs>[-<active vCPUs>]<features>[_<version>]`; memory per vCPU follows the
 * family (D 4 GiB, E 8 GiB, F 2 GiB, ...), with the `l` (low memory) and `m` (more memory) feature
 * letters adjusting it. Burstable B sizes do not follow a ratio and are listed. Unknown families
 * return no memory figure: a rule then checks vCPUs only rather than refuse a size it cannot read.
 */

export interface VmCapacity {
  vCpus: number;
  /** Undefined when the family's memory ratio is not known here. */
  memoryGiB?: number;
}

/** Memory of burstable sizes, which have no per-vCPU ratio. */
const burstableMemoryGiB: Record<string, number> = {
  Standard_B1ls: 0.5,
  Standard_B1s: 1,
  Standard_B1ms: 2,
  Standard_B2s: 4,
  Standard_B2ms: 8,
  Standard_B2ts_v2: 1,
  Standard_B2ats_v2: 1,
  Standard_B2ls_v2: 4,
  Standard_B2als_v2: 4,
  Standard_B2s_v2: 8,
  Standard_B2as_v2: 8,
};

/** GiB per vCPU by family (first letter), before feature letters. */
const memoryPerVcpu: Record<string, number> = { A: 2, D: 4, E: 8, F: 2, L: 8, M: 14, N: 7, H: 4 };

export function vmSizeCapacity(size: string): VmCapacity | undefined {
  const match = /^Standard_([A-Z]{1,3})([0-9]+)(?:-([0-9]+))?([a-z]*)/.exec(size);
  if (!match) return undefined;
  const family = match[1] ?? '';
  const vCpus = Number(match[2]);
  // A constrained size (E64-16s_v5) runs on fewer vCPUs with the full size's memory.
  const active = match[3] !== undefined ? Number(match[3]) : vCpus;
  const features = match[4] ?? '';
  const listed = burstableMemoryGiB[size];
  if (listed !== undefined) return { vCpus: active, memoryGiB: listed };
  if (family.startsWith('B')) return { vCpus: active };
  const ratio = memoryPerVcpu[family.charAt(0)];
  if (ratio === undefined) return { vCpus: active };
  const adjusted = features.includes('l') ? ratio / 2 : features.includes('m') ? ratio * 2 : ratio;
  return { vCpus: active, memoryGiB: vCpus * adjusted };
}

/** AKS's floor for the pools that run system pods. */
export const SYSTEM_POOL_MIN_VCPUS = 2;
export const SYSTEM_POOL_MIN_MEMORY_GIB = 4;

/** Why `size` cannot host an AKS System pool, or undefined when it can (or cannot be told). */
export function systemPoolSizeProblem(size: string): string | undefined {
  const capacity = vmSizeCapacity(size);
  if (!capacity) return undefined;
  const { vCpus, memoryGiB } = capacity;
  if (vCpus < SYSTEM_POOL_MIN_VCPUS || (memoryGiB !== undefined && memoryGiB < SYSTEM_POOL_MIN_MEMORY_GIB)) {
    const memory = memoryGiB !== undefined ? ` and ${memoryGiB} GiB` : '';
    return `${size} has ${vCpus} vCPU${vCpus === 1 ? '' : 's'}${memory}; AKS System pools need at least ${SYSTEM_POOL_MIN_VCPUS} vCPUs and ${SYSTEM_POOL_MIN_MEMORY_GIB} GiB of memory`;
  }
  return undefined;
}
