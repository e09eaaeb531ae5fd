/**
 * Versions the nodes install: Kubernetes from its own package repository (pkgs.k8s.io, one repository
 * per minor), the Azure cloud provider matching that minor, and a CNI pinned here so that the same
 * spec boots the same cluster next month. Raising a pin is a reviewed change of this file.
 */

/** Kubernetes minors the IaaS bootstrap supports: pkgs.k8s.io carries them and cloud-provider-azure releases them. */
export const SUPPORTED_KUBERNETES_MINORS = ['1.30', '1.31', '1.32', '1.33'] as const;
export type KubernetesMinor = (typeof SUPPORTED_KUBERNETES_MINORS)[number];

/**
 * cloud-provider-azure (cloud-controller-manager + cloud-node-manager): its minor follows Kubernetes'
 * minor (see its version matrix); the first release of each minor line is pinned.
 */
export const CLOUD_PROVIDER_AZURE_VERSIONS: Readonly<Record<KubernetesMinor, string>> = {
  '1.30': 'v1.30.0',
  '1.31': 'v1.31.0',
  '1.32': 'v1.32.0',
  '1.33': 'v1.33.0',
};

export const CNI_PLUGINS = ['calico', 'cilium'] as const;
export type CniPlugin = (typeof CNI_PLUGINS)[number];

/**
 * Default CNI: Calico in VXLAN mode. Azure's network drops IP-in-IP (protocol 4), Calico's default
 * encapsulation, so the VXLAN manifest is the one that works on Azure VMs.
 */
export const DEFAULT_CNI: CniPlugin = 'calico';
export const CNI_VERSIONS: Readonly<Record<CniPlugin, string>> = {
  calico: 'v3.29.3',
  cilium: '1.17.4',
};
/** The cilium command line that installs Cilium (its release binary, checked against its published sha256). */
export const CILIUM_CLI_VERSION = 'v0.18.3';

export interface KubernetesVersionParts {
  /** e.g. "1.33" */
  minor: string;
  /** e.g. "1.33.2"; undefined when the spec names only the minor */
  patch?: string;
}

/** "1.33" or "1.33.2" (the spec's formats) → its parts; undefined for anything else. */
export function parseKubernetesVersion(version: string): KubernetesVersionParts | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!match) return undefined;
  const minor = `${Number(match[1])}.${Number(match[2])}`;
  return match[3] !== undefined ? { minor, patch: `${minor}.${Number(match[3])}` } : { minor };
}

export function isSupportedMinor(minor: string): minor is KubernetesMinor {
  return (SUPPORTED_KUBERNETES_MINORS as readonly string[]).includes(minor);
}

/** Why a version cannot be bootstrapped on IaaS nodes, or undefined when it can. */
export function unsupportedKubernetesVersion(version: string): string | undefined {
  const parts = parseKubernetesVersion(version);
  if (!parts) return undefined; // the schema reports the format
  if (isSupportedMinor(parts.minor)) return undefined;
  return `Kubernetes ${parts.minor} is not supported on IaaS nodes; supported minors: ${SUPPORTED_KUBERNETES_MINORS.join(', ')}`;
}

/** The pkgs.k8s.io Debian repository of a minor (the repository itself pins the minor). */
export function kubernetesPackageRepository(minor: string): string {
  return `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`;
}

/**
 * The apt version pattern for kubeadm/kubelet/kubectl: the exact patch when the spec names one
 * (`1.33.2-*`: any package revision of it), else the newest patch of the minor's repository.
 */
export function aptVersionPattern(parts: KubernetesVersionParts): string | undefined {
  return parts.patch !== undefined ? `${parts.patch}-*` : undefined;
}
