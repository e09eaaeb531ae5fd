/**
 * What an existing IaaS cluster cannot change by a new spec: the settings its nodes were
 * bootstrapped with. Kubernetes upgrades do not exist yet (a new version in the spec would only reach
 * nodes created afterwards, leaving the cluster on mixed versions), and the CNI, pod and service
 * ranges and the internal API address are baked into the running cluster and its certificates.
 * Pure: compares the previous resolved spec with the new one.
 */
import type { IaasClusterSpec } from '../spec';

type BootstrapFields = Pick<IaasClusterSpec, 'kubernetesVersion'> & {
  network: Pick<IaasClusterSpec['network'], 'cni' | 'podCidr' | 'serviceCidr'> & {
    apiServer: Pick<IaasClusterSpec['network']['apiServer'], 'internalIp'>;
  };
};

const FIELDS: { path: string; read: (s: BootstrapFields) => string | undefined; why: string }[] = [
  {
    path: 'kubernetesVersion',
    read: (s) => s.kubernetesVersion,
    why: 'Kubernetes upgrades of IaaS clusters are not available yet; keep the version the cluster runs (or delete the cluster and create it again)',
  },
  {
    path: 'network.cni',
    read: (s) => s.network.cni,
    why: 'the CNI is installed once, when the cluster is created',
  },
  {
    path: 'network.podCidr',
    read: (s) => s.network.podCidr,
    why: 'the pod range is fixed when the cluster is created',
  },
  {
    path: 'network.serviceCidr',
    read: (s) => s.network.serviceCidr,
    why: 'the service range is fixed when the cluster is created',
  },
  {
    path: 'network.apiServer.internalIp',
    read: (s) => s.network.apiServer.internalIp,
    why: "the internal API address is in the API server's certificate",
  },
];

/**
 * Why `next` may not replace `previous` (one message per changed field), or [] when it may. A
 * previous spec from before a field existed (undefined there) does not count as a change.
 */
export function bootstrapSettingChanges(
  previous: unknown,
  next: IaasClusterSpec,
): { path: string; message: string }[] {
  if (typeof previous !== 'object' || previous === null || (previous as { type?: unknown }).type !== 'iaas') {
    return [];
  }
  const before = previous as BootstrapFields;
  return FIELDS.flatMap(({ path, read, why }) => {
    let was: string | undefined;
    try {
      was = read(before);
    } catch {
      return []; // a spec from before the field existed
    }
    const now = read(next);
    if (was === undefined || was === now) return [];
    return [
      { path, message: `${path} cannot change from "${was}" to "${now}" on an existing cluster: ${why}` },
    ];
  });
}
