/**
 * The kubeadm configuration of each node role, in the v1beta4 format:
 * - first control-plane node: InitConfiguration + ClusterConfiguration + KubeletConfiguration
 *   (`kubeadm init`); the bootstrap token it registers is the one in Key Vault.
 * - other control-plane nodes: JoinConfiguration with `controlPlane` (`kubeadm join`); they find
 *   the shared CAs and service-account key already in /etc/kubernetes/pki (fetched from Key Vault),
 *   so no `certificateKey` / uploaded certificates are needed.
 * - workers: JoinConfiguration.
 * Every node runs the kubelet with `--cloud-provider=external`: the Azure cloud controller
 * manager initialises nodes (addresses, zones) and serves LoadBalancer services.
 */
import { stringify } from 'yaml';

import {
  BOOTSTRAP_TOKEN_PLACEHOLDER,
  CA_CERT_HASH_PLACEHOLDER,
  type ClusterConfiguration,
  type InitConfiguration,
  type JoinConfiguration,
  KUBEADM_API_VERSION,
  type KubeadmDocument,
  KUBELET_API_VERSION,
  type KubeletConfiguration,
  KUBERNETES_VERSION_PLACEHOLDER,
} from './kubeadmSchema';
import type { ClusterBootstrap, NodeBootstrap } from './model';
import { parseKubernetesVersion } from './versions';

/** How long a bootstrap token the app mints stays valid (kubeadm's TTL and the Key Vault secret's expiry). */
export const BOOTSTRAP_TOKEN_TTL_MINUTES = 120;
export const POOL_LABEL = 'cluster-provisioner.io/pool';

const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

export function endpointAddress(cluster: ClusterBootstrap): string {
  return `${cluster.endpoint.fqdn}:${cluster.endpoint.port}`;
}

function kubeletArgs(node: NodeBootstrap): { name: string; value: string }[] {
  return [
    { name: 'cloud-provider', value: 'external' },
    { name: 'node-labels', value: `${POOL_LABEL}=${node.pool}` },
  ];
}

/** "v1.33.2", or the placeholder the node fills with its installed kubeadm's version ("1.33" specs). */
export function kubeadmKubernetesVersion(specVersion: string): string {
  const parts = parseKubernetesVersion(specVersion);
  return parts?.patch !== undefined ? `v${parts.patch}` : KUBERNETES_VERSION_PLACEHOLDER;
}

function ttl(minutes: number): string {
  return `${Math.floor(minutes / 60)}h${minutes % 60}m0s`;
}

export function clusterConfiguration(cluster: ClusterBootstrap): ClusterConfiguration {
  return {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'ClusterConfiguration',
    clusterName: cluster.clusterName,
    kubernetesVersion: kubeadmKubernetesVersion(cluster.kubernetesVersion),
    controlPlaneEndpoint: endpointAddress(cluster),
    certificatesDir: '/etc/kubernetes/pki',
    networking: {
      podSubnet: cluster.podCidr,
      serviceSubnet: cluster.serviceCidr,
      dnsDomain: 'cluster.local',
    },
    apiServer: {
      // The DNS name is in the certificate anyway (controlPlaneEndpoint); the internal frontend's
      // address and loopback let nodes and tools reach it by address too.
      certSANs: [cluster.endpoint.fqdn, cluster.endpoint.internalIp, '127.0.0.1'],
      extraArgs: [{ name: 'profiling', value: 'false' }],
    },
    controllerManager: {
      extraArgs: [
        { name: 'cloud-provider', value: 'external' },
        { name: 'profiling', value: 'false' },
      ],
    },
  };
}

function initConfiguration(node: NodeBootstrap): InitConfiguration {
  return {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'InitConfiguration',
    bootstrapTokens: [
      {
        token: BOOTSTRAP_TOKEN_PLACEHOLDER,
        description:
          'joins the nodes created with the cluster (minted by the provisioner, kept in Key Vault)',
        ttl: ttl(BOOTSTRAP_TOKEN_TTL_MINUTES),
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ],
    nodeRegistration: { criSocket: CRI_SOCKET, kubeletExtraArgs: kubeletArgs(node) },
    localAPIEndpoint: { bindPort: node.cluster.endpoint.port },
  };
}

function kubeletConfiguration(): KubeletConfiguration {
  return {
    apiVersion: KUBELET_API_VERSION,
    kind: 'KubeletConfiguration',
    cgroupDriver: 'systemd',
    rotateCertificates: true,
  };
}

function joinConfiguration(node: NodeBootstrap): JoinConfiguration {
  return {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: endpointAddress(node.cluster),
        token: BOOTSTRAP_TOKEN_PLACEHOLDER,
        caCertHashes: [CA_CERT_HASH_PLACEHOLDER],
      },
      tlsBootstrapToken: BOOTSTRAP_TOKEN_PLACEHOLDER,
    },
    nodeRegistration: { criSocket: CRI_SOCKET, kubeletExtraArgs: kubeletArgs(node) },
    ...(node.role === 'joinControlPlane'
      ? { controlPlane: { localAPIEndpoint: { bindPort: node.cluster.endpoint.port } } }
      : {}),
  };
}

/** The kubeadm documents of a node, in the order kubeadm reads them. */
export function kubeadmDocuments(node: NodeBootstrap): KubeadmDocument[] {
  return node.role === 'initControlPlane'
    ? [initConfiguration(node), clusterConfiguration(node.cluster), kubeletConfiguration()]
    : [joinConfiguration(node)];
}

/** The documents as one multi-document YAML file (kubeadm's `--config`). */
export function kubeadmConfigFile(node: NodeBootstrap): string {
  return kubeadmDocuments(node)
    .map((doc) => stringify(doc, { lineWidth: 0 }))
    .join('---\n');
}
