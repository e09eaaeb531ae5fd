/**
 * The Kubernetes versions AKS offers (`GET …/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions`):
 * the same list in every region the emulator serves, with the shape ARM returns. Clusters and pools
 * are checked against it with AKS's own codes.
 */
import type { JsonObject } from '../../json';

interface Release {
  version: string;
  patches: string[];
  isDefault?: boolean;
  isPreview?: boolean;
  lts: boolean;
}

const RELEASES: readonly Release[] = [
  { version: '1.31', patches: ['1.31.9', '1.31.10'], lts: true },
  { version: '1.32', patches: ['1.32.5', '1.32.6'], lts: true },
  { version: '1.33', patches: ['1.33.1', '1.33.2'], isDefault: true, lts: false },
  { version: '1.34', patches: ['1.34.0'], isPreview: true, lts: false },
];

function minor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** The list response's body. */
export function kubernetesVersionList(): JsonObject {
  return {
    values: RELEASES.map((release, index) => {
      const next = RELEASES[index + 1];
      return {
        version: release.version,
        ...(release.isDefault ? { isDefault: true } : {}),
        ...(release.isPreview ? { isPreview: true } : {}),
        capabilities: {
          supportPlan: release.lts ? ['KubernetesOfficial', 'AKSLongTermSupport'] : ['KubernetesOfficial'],
        },
        patchVersions: Object.fromEntries(
          release.patches.map((patch, i) => [
            patch,
            { upgrades: [...release.patches.slice(i + 1), ...(next ? next.patches : [])] },
          ]),
        ),
      };
    }),
  };
}

/** The release a version (`1.33` or `1.33.2`) belongs to, when AKS offers that exact version. */
export function offeredRelease(version: string): Release | undefined {
  const release = RELEASES.find((r) => r.version === minor(version));
  if (!release) return undefined;
  if (version.split('.').length === 3 && !release.patches.includes(version)) return undefined;
  return release;
}

export function supportsLongTermSupport(version: string): boolean {
  return offeredRelease(version)?.lts === true;
}

/** The newest generally available version, announced by `NewKubernetesVersionAvailable`. */
export function latestStableVersion(): string {
  const stable = RELEASES.filter((r) => !r.isPreview);
  const last = stable[stable.length - 1];
  return last?.patches[last.patches.length - 1] ?? '';
}

/** The highest patch AKS offers of a version's minor (`1.32` → `1.32.6`). */
export function latestPatchOf(version: string): string | undefined {
  return offeredRelease(version)?.patches.at(-1);
}

export function latestPreviewVersion(): string | undefined {
  const preview = RELEASES.filter((r) => r.isPreview);
  const last = preview[preview.length - 1];
  return last?.patches[last.patches.length - 1];
}

/** Minor versions between a pool and its control plane (`1.31` under `1.33` is 2). */
export function minorsBehind(controlPlane: string, pool: string): number {
  const [cpMajor, cpMinor] = controlPlane.split('.').map(Number);
  const [poolMajor, poolMinor] = pool.split('.').map(Number);
  if (cpMajor !== poolMajor) return Number.POSITIVE_INFINITY;
  return (cpMinor ?? 0) - (poolMinor ?? 0);
}
