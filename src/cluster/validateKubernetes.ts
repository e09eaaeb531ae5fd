/**
 * Cross-field rules of an IaaS cluster's Kubernetes settings: the pod and service ranges, the
 * internal API frontend's address, and the Kubernetes minors the node bootstrap can install.
 * Called by validate.ts with what it has already resolved; reads the raw input defensively.
 */
import { kubernetesRanges } from './applyDefaults';
import { unsupportedKubernetesVersion } from './bootstrap/versions';
import {
  addressInCidr,
  cidrSize,
  cidrsOverlap,
  type Ipv4Cidr,
  isIpv4Address,
  nthAddress,
  parseIpv4Cidr,
} from './cidr';
import type { SpecError } from './validate';

/** kube-apiserver refuses a service range of more than 2^20 addresses (a /12). */
const MIN_SERVICE_PREFIX = 12;
/** kube-controller-manager gives each node a /24 of the pod range (kubeadm's default). */
const NODE_POD_PREFIX = 24;

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const asStr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asCidr = (value: unknown): Ipv4Cidr | undefined => {
  const text = asStr(value);
  if (text === undefined) return undefined;
  const parsed = parseIpv4Cidr(text);
  return parsed.ok ? parsed.cidr : undefined;
};

export interface ResolvedIaasNetwork {
  vnet?: Ipv4Cidr;
  controlPlaneSubnet?: Ipv4Cidr;
  workerSubnet?: Ipv4Cidr;
  /** Nodes the cluster may grow to: control plane plus every pool's max(count, maxCount). */
  peakNodes: number;
}

export function checkIaasKubernetes(spec: Obj, resolved: ResolvedIaasNetwork): SpecError[] {
  const errors: SpecError[] = [];
  const version = asStr(spec.kubernetesVersion);
  const unsupported = version !== undefined ? unsupportedKubernetesVersion(version) : undefined;
  if (unsupported !== undefined) errors.push({ path: 'kubernetesVersion', message: unsupported });

  const network = asObj(spec.network) ?? {};
  // Absent ranges get defaults chosen to fit (applyDefaults); only malformed ones are skipped here.
  const givenPods = asCidr(network.podCidr);
  const givenServices = asCidr(network.serviceCidr);
  const malformed =
    (network.podCidr !== undefined && !givenPods) || (network.serviceCidr !== undefined && !givenServices);
  const defaults = malformed
    ? undefined
    : kubernetesRanges(resolved.vnet?.text, givenPods?.text, givenServices?.text);
  const pods = asCidr(defaults?.podCidr);
  const services = asCidr(defaults?.serviceCidr);
  const ranges = [
    { path: 'network.podCidr', what: 'pod range', cidr: pods },
    { path: 'network.serviceCidr', what: 'service range', cidr: services },
  ];
  for (const { path, what, cidr } of ranges) {
    if (!cidr) continue;
    if (resolved.vnet && cidrsOverlap(cidr, resolved.vnet)) {
      errors.push({
        path,
        message: `the ${what} ${cidr.text} overlaps the VNet ${resolved.vnet.text}; pod and service addresses must not be VNet addresses`,
      });
    }
  }
  if (pods && services && cidrsOverlap(pods, services)) {
    errors.push({
      path: 'network.serviceCidr',
      message: `${services.text} overlaps the pod range ${pods.text}; they must be disjoint`,
    });
  }
  if (services && services.prefix < MIN_SERVICE_PREFIX) {
    errors.push({
      path: 'network.serviceCidr',
      message: `a service range may be at most a /${MIN_SERVICE_PREFIX} (got /${services.prefix})`,
    });
  }
  if (pods && pods.prefix > NODE_POD_PREFIX) {
    errors.push({
      path: 'network.podCidr',
      message: `a pod range must be a /${NODE_POD_PREFIX} or larger: each node gets a /${NODE_POD_PREFIX} of it (got /${pods.prefix})`,
    });
  } else if (pods && network.cni === 'cilium') {
    const nodes = 2 ** (NODE_POD_PREFIX - pods.prefix);
    if (resolved.peakNodes > nodes) {
      errors.push({
        path: 'network.podCidr',
        message: `${pods.text} holds pod ranges for ${nodes} nodes (a /${NODE_POD_PREFIX} each) but the cluster may grow to ${resolved.peakNodes}`,
      });
    }
  }

  const internalIp = asObj(network.apiServer)?.internalIp;
  const subnet = resolved.controlPlaneSubnet;
  if (typeof internalIp === 'string' && isIpv4Address(internalIp) && subnet) {
    if (!addressInCidr(internalIp, subnet)) {
      errors.push({
        path: 'network.apiServer.internalIp',
        message: `${internalIp} is not in the control-plane subnet ${subnet.text}`,
      });
    } else {
      // Azure keeps the network address, the next three and the broadcast address for itself.
      const reserved = [0, 1, 2, 3, cidrSize(subnet) - 1].map((n) => nthAddress(subnet, n));
      if (reserved.includes(internalIp)) {
        errors.push({
          path: 'network.apiServer.internalIp',
          message: `${internalIp} is one of the five addresses Azure reserves in ${subnet.text}`,
        });
      }
    }
  }
  return errors;
}
