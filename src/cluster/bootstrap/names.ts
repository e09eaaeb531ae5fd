/**
 * The names a cluster's bootstrap is built on, all derived from the spec and the subscription so
 * that the plan (and every node's custom data) is known before anything exists: the Key Vault, the
 * secrets in it, the two node identities, and the API server's DNS name.
 */
import { createHash } from 'node:crypto';

/**
 * Key Vault secrets (names: letters, digits, hyphens). Control-plane nodes read all of them;
 * workers read only the join token.
 */
export const VaultSecrets = {
  clusterCaCert: 'cluster-ca-crt',
  clusterCaKey: 'cluster-ca-key',
  etcdCaCert: 'etcd-ca-crt',
  etcdCaKey: 'etcd-ca-key',
  frontProxyCaCert: 'front-proxy-ca-crt',
  frontProxyCaKey: 'front-proxy-ca-key',
  serviceAccountKey: 'sa-key',
  serviceAccountPub: 'sa-pub',
  /**
   * A kubeadm bootstrap token (`[a-z0-9]{6}.[a-z0-9]{16}`) with an expiry; its `caCertHash` tag holds
   * the public `sha256:` hash of the cluster CA's key that joining nodes pin.
   */
  joinToken: 'join-token',
} as const;
export type VaultSecretName = (typeof VaultSecrets)[keyof typeof VaultSecrets];

/** Where each secret lands on a control-plane node (kubeadm's own layout under /etc/kubernetes/pki). */
export const CONTROL_PLANE_PKI_FILES: readonly { secret: VaultSecretName; path: string }[] = [
  { secret: VaultSecrets.clusterCaCert, path: '/etc/kubernetes/pki/ca.crt' },
  { secret: VaultSecrets.clusterCaKey, path: '/etc/kubernetes/pki/ca.key' },
  { secret: VaultSecrets.etcdCaCert, path: '/etc/kubernetes/pki/etcd/ca.crt' },
  { secret: VaultSecrets.etcdCaKey, path: '/etc/kubernetes/pki/etcd/ca.key' },
  { secret: VaultSecrets.frontProxyCaCert, path: '/etc/kubernetes/pki/front-proxy-ca.crt' },
  { secret: VaultSecrets.frontProxyCaKey, path: '/etc/kubernetes/pki/front-proxy-ca.key' },
  { secret: VaultSecrets.serviceAccountKey, path: '/etc/kubernetes/pki/sa.key' },
  { secret: VaultSecrets.serviceAccountPub, path: '/etc/kubernetes/pki/sa.pub' },
];

/** The tag on the join-token secret that carries the CA certificate hash. */
export const CA_CERT_HASH_TAG = 'caCertHash';

/** Eight hex digits that make a global name unique to this subscription, resource group and cluster. */
export function clusterSuffix(subscriptionId: string, resourceGroup: string, cluster: string): string {
  return createHash('sha256')
    .update(`${subscriptionId.toLowerCase()}/${resourceGroup.toLowerCase()}/${cluster}`)
    .digest('hex')
    .slice(0, 8);
}

/**
 * Key Vault names are global, 3–24 characters (letters, digits, hyphens; start with a letter, no
 * double hyphen): `kv-<cluster, cut to 12>-<suffix>`.
 */
export function keyVaultName(subscriptionId: string, resourceGroup: string, cluster: string): string {
  const head = cluster.slice(0, 12).replace(/-+$/, '');
  return `kv-${head}-${clusterSuffix(subscriptionId, resourceGroup, cluster)}`.replace(/--+/g, '-');
}

export function keyVaultUri(vaultName: string): string {
  return `https://${vaultName}.vault.azure.net`;
}

export const controlPlaneIdentityName = (cluster: string): string => `${cluster}-control-plane-id`;
export const workerIdentityName = (cluster: string): string => `${cluster}-workers-id`;

/**
 * The DNS label of the API server's public IP: `<cluster>-<suffix>`, unique in the region, so the
 * control-plane endpoint `<label>.<location>.cloudapp.azure.com` is known before the IP exists.
 */
export function apiServerDnsLabel(subscriptionId: string, resourceGroup: string, cluster: string): string {
  return `${cluster}-${clusterSuffix(subscriptionId, resourceGroup, cluster)}`;
}

export function apiServerFqdn(dnsLabel: string, location: string): string {
  return `${dnsLabel}.${location}.cloudapp.azure.com`;
}
