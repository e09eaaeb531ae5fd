/** Object mothers for cluster specs, and a path setter for table tests. */
import { type AksClusterSpecInput, type IaasClusterSpecInput } from '../../../src/cluster/spec';

export const ED25519_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa5xZdozvfsW+V/nEdyuA1c+yvb99OQpv+dj3gw9/+S demo@example';
export const RSA_3072_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCU83s6K8STKz7KW0nPJGAwkAUZseBbTmGaVXKFm1AHRG1bQpuAMirUuZ/aqbWuewulo5OMFdgrUJtAkvlje55Nyrh6OsEjKOmHjxmDN/aFUaso3+8TvB65zdAbbkN8Dq9kvDQy8rIUwLAyJHChkOf5qlPKFUbvaL8P5bl5/xbdnJMIQaiWmxkqc0PJcgwKrPSJmM/O157ZYXUJ4HH+AnizwHnjwe4hMJakTBM51vV5oLCx1f/0JeSKee9XBies+ajlAZBJeKv534Ao/6EsX54hPXD/r3BAi0EU+c5o+nQXs03kAjLUQpB8HKHRuXfL7w/hNZnnCKP06/jTmTCCICyZEZyVEk1u9/o5/49e857o3HZNkKvPV4TqYRe0txssdX9QA3kKd2wrSVxN6uiO3t32kEiQr1JT75EJb0rkh00EJoNjQirinVEIyB0vRJpfbEI0gaQj3iPAcAxjVC+zOWgePsZwUxFDDPNLBH6lLQ053YTLdwjg/fq6JHUOM9r1ohE= rsa@example';
export const RSA_1024_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCtl9EC6zUW3vf6wocANU5aC8Ys7i0iUA/+728uxt/jNX0r1IuKKgt1018J43DSvJShBBXM8EuDYfqH26dqYvOhTqmbSKq8+fiBLY1M9a/8laKTh88gR22hQ4qlmc8VNJb/SBWqJUBbNUhemJeTw+OBI2b+ba/VzONcRoI2flCHmw== root@vm';
export const ECDSA_KEY =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPO5EVlML6TKVm5BvefH+hObXrqg2O6FHpvBUJ6GCe8CVoySASSDLcOOSY5d4clzluNRhkG5i0VRRMGYzedATGs= root@vm';
export const SUBSCRIPTION_ID = '11111111-2222-3333-4444-555555555555';

/** The smallest valid IaaS spec: everything else defaults. */
export function iaasInput(): IaasClusterSpecInput {
  return {
    type: 'iaas',
    name: 'demo',
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.33.2',
    nodePools: [{ name: 'pool1', count: 3, vmSize: 'Standard_D4s_v5' }],
    ssh: { publicKey: ED25519_KEY },
  };
}

/** An IaaS spec in a brought VNet, with every field the brought VNet needs. */
export function broughtVnetInput(): IaasClusterSpecInput {
  return {
    ...iaasInput(),
    network: {
      vnet: { existing: { resourceGroup: 'rg-network', name: 'shared-vnet' } },
      controlPlaneSubnet: { name: 'k8s-cp', cidr: '10.10.0.0/24', nsg: { name: 'k8s-cp-nsg' } },
      workerSubnet: { name: 'k8s-workers', cidr: '10.10.4.0/22', nsg: { name: 'k8s-workers-nsg' } },
    },
  };
}

/** The smallest valid AKS spec. */
export function aksInput(): AksClusterSpecInput {
  return {
    type: 'aks',
    name: 'demo-aks',
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.33',
    nodePools: [{ name: 'system', count: 3, vmSize: 'Standard_D4s_v5' }],
  };
}

/** Sets (or, with undefined, deletes) a value at a path such as `nodePools[0].count`; creates objects on the way. */
export function setPath<T extends object>(input: T, path: string, value: unknown): T {
  const copy = structuredClone(input) as Record<string, unknown>;
  const keys = path.match(/[^.[\]]+/g) ?? [];
  let node: Record<string, unknown> = copy;
  keys.slice(0, -1).forEach((key, index) => {
    const next = keys[index + 1] ?? '';
    if (node[key] === undefined) node[key] = /^\d+$/.test(next) ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  const last = keys[keys.length - 1] ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as T;
}
