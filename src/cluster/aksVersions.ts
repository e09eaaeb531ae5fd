/**
 * Kubernetes versions on AKS: which ones a region offers (read from
 * `…/locations/{location}/kubernetesVersions` before the first write, then checked here, purely) and
 * how far a pool may lag its control plane.
 */
import type { SpecError } from './rawInput';
import type { AksClusterSpec } from './spec';

/** One minor release a region offers, as AKS lists it. */
export interface OfferedKubernetesVersion {
  /** `major.minor`, e.g. `1.33`. */
  version: string;
  isPreview: boolean;
  /** Full versions, e.g. `1.33.2`. */
  patchVersions: string[];
  /** `KubernetesOfficial`, `AKSLongTermSupport`. */
  supportPlans: string[];
}

/** The list response's `values` (wire or SDK model: the same field names) → what the checks need. */
export function offeredVersionsFrom(values: readonly unknown[]): OfferedKubernetesVersion[] {
  return values.flatMap((value): OfferedKubernetesVersion[] => {
    if (typeof value !== 'object' || value === null) return [];
    const entry = value as {
      version?: unknown;
      isPreview?: unknown;
      patchVersions?: unknown;
      capabilities?: { supportPlan?: unknown };
    };
    if (typeof entry.version !== 'string') return [];
    const patches =
      typeof entry.patchVersions === 'object' && entry.patchVersions !== null
        ? Object.keys(entry.patchVersions)
        : [];
    const plans = Array.isArray(entry.capabilities?.supportPlan)
      ? entry.capabilities.supportPlan.filter((plan): plan is string => typeof plan === 'string')
      : [];
    return [
      {
        version: entry.version,
        isPreview: entry.isPreview === true,
        patchVersions: patches,
        supportPlans: plans,
      },
    ];
  });
}

export interface MinorVersion {
  major: number;
  minor: number;
}

export function minorOf(version: string): MinorVersion | undefined {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/** AKS lets a pool run at most this many minors behind its control plane. */
export const MAX_POOL_MINOR_SKEW = 2;

/** Why a pool cannot run `poolVersion` under a control plane at `clusterVersion`, or undefined. */
export function poolVersionSkewProblem(clusterVersion: string, poolVersion: string): string | undefined {
  const cluster = minorOf(clusterVersion);
  const pool = minorOf(poolVersion);
  if (!cluster || !pool) return undefined;
  if (pool.major !== cluster.major) {
    return `${poolVersion} is not in the control plane's major version ${cluster.major} (kubernetesVersion ${clusterVersion})`;
  }
  if (pool.minor > cluster.minor) {
    return `${poolVersion} is newer than the control plane (kubernetesVersion ${clusterVersion}); upgrade the control plane first`;
  }
  if (cluster.minor - pool.minor > MAX_POOL_MINOR_SKEW) {
    return `${poolVersion} is ${cluster.minor - pool.minor} minor versions behind the control plane (${clusterVersion}); AKS allows at most ${MAX_POOL_MINOR_SKEW}`;
  }
  return undefined;
}

function versionProblem(
  version: string,
  offered: OfferedKubernetesVersion[],
  location: string,
): string | undefined {
  const minor = minorOf(version);
  if (!minor) return undefined;
  const release = offered.find((entry) => entry.version === `${minor.major}.${minor.minor}`);
  const available = offered
    .map((entry) => entry.version)
    .sort((a, b) => (minorOf(a)?.minor ?? 0) - (minorOf(b)?.minor ?? 0))
    .join(', ');
  if (!release)
    return `Kubernetes ${version} is not offered by AKS in ${location} (offered: ${available || 'none'})`;
  if (version.split('.').length === 3 && !release.patchVersions.includes(version)) {
    return `Kubernetes ${version} is not offered by AKS in ${location} (patches of ${release.version}: ${release.patchVersions.join(', ') || 'none'})`;
  }
  return undefined;
}

/**
 * Checks the spec's versions against what the region offers: the control plane's, each pool's, and
 * that the chosen support plan is available for the control plane's version.
 */
export function checkOfferedVersions(spec: AksClusterSpec, offered: OfferedKubernetesVersion[]): SpecError[] {
  const errors: SpecError[] = [];
  const clusterProblem = versionProblem(spec.kubernetesVersion, offered, spec.location);
  if (clusterProblem) errors.push({ path: 'kubernetesVersion', message: clusterProblem });
  spec.nodePools.forEach((pool, index) => {
    if (pool.kubernetesVersion === spec.kubernetesVersion) return;
    const problem = versionProblem(pool.kubernetesVersion, offered, spec.location);
    if (problem) errors.push({ path: `nodePools[${index}].kubernetesVersion`, message: problem });
  });
  const minor = minorOf(spec.kubernetesVersion);
  const release = minor && offered.find((entry) => entry.version === `${minor.major}.${minor.minor}`);
  if (release && release.supportPlans.length > 0 && !release.supportPlans.includes(spec.supportPlan)) {
    errors.push({
      path: 'supportPlan',
      message: `${spec.supportPlan} is not available for Kubernetes ${release.version} in ${spec.location} (available: ${release.supportPlans.join(', ')})`,
    });
  }
  return errors;
}
