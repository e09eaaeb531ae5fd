/** What a node's bootstrap is rendered from: plain, public data (no secret ever lives here). */
import type { CniPlugin } from './versions';

/** The first control-plane node runs `kubeadm init`; the others join as control plane; workers join. */
export type NodeRole = 'initControlPlane' | 'joinControlPlane' | 'worker';

export interface ControlPlaneEndpoint {
  /** The API server's DNS name (its public IP's label), the name in every kubeconfig and certificate. */
  fqdn: string;
  port: number;
  /** The internal load balancer's frontend: where nodes inside the VNet reach the API server. */
  internalIp: string;
}

/** What the Azure cloud controller manager needs (written to /etc/kubernetes/azure.json on control-plane nodes). */
export interface AzureCloudConfig {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  vnetName: string;
  vnetResourceGroup: string;
  /** Subnet for internal LoadBalancer services: the workers'. */
  subnetName: string;
  /** NSG the cloud provider opens for LoadBalancer services: the workers'. */
  securityGroupName: string;
  securityGroupResourceGroup: string;
}

export interface ClusterBootstrap {
  clusterName: string;
  /** The spec's version: "1.33" or "1.33.2". */
  kubernetesVersion: string;
  endpoint: ControlPlaneEndpoint;
  podCidr: string;
  serviceCidr: string;
  cni: CniPlugin;
  /** https://<vault>.vault.azure.net */
  vaultUri: string;
  /** ARM ids of the user-assigned identities nodes ask the instance metadata service for tokens as. */
  identities: { controlPlane: string; worker: string };
  azure: AzureCloudConfig;
}

export interface NodeBootstrap {
  cluster: ClusterBootstrap;
  role: NodeRole;
  /** Node pool (`controlPlane` for the control plane); becomes a node label. */
  pool: string;
}

export const isControlPlaneRole = (role: NodeRole): boolean => role !== 'worker';
