import type { IaasClusterSpec } from '../../../src/cluster/spec';
import { parseClusterSpec, type SpecError } from '../../../src/cluster/validate';
import { iaasInput, setPath } from './fixtures';

type Input = Record<string, unknown>;

function outcome(changes: [string, unknown][]): { errors: SpecError[]; spec?: IaasClusterSpec } {
  const input = changes.reduce<Input>((acc, [path, value]) => setPath(acc, path, value), iaasInput());
  const result = parseClusterSpec(input);
  if (!result.ok) return { errors: result.errors };
  if (result.spec.type !== 'iaas') throw new Error('expected an IaaS spec');
  return { errors: [], spec: result.spec };
}

describe('IaaS Kubernetes settings: rules', () => {
  it.each<[string, [string, unknown][], string, RegExp]>([
    ['an unknown CNI', [['network.cni', 'flannel']], 'network.cni', /calico|cilium/],
    [
      'a pod range inside the VNet',
      [['network.podCidr', '10.0.128.0/17']],
      'network.podCidr',
      /overlaps the VNet 10\.0\.0\.0\/16/,
    ],
    [
      'a service range inside the VNet',
      [['network.serviceCidr', '10.0.0.0/12']],
      'network.serviceCidr',
      /overlaps the VNet/,
    ],
    [
      'pod and service ranges that overlap',
      [
        ['network.podCidr', '172.16.0.0/16'],
        ['network.serviceCidr', '172.16.0.0/20'],
      ],
      'network.serviceCidr',
      /overlaps the pod range/,
    ],
    [
      'a service range wider than a /12',
      [['network.serviceCidr', '100.64.0.0/10']],
      'network.serviceCidr',
      /\/12/,
    ],
    [
      'a pod range smaller than a node’s /24',
      [['network.podCidr', '172.16.0.0/25']],
      'network.podCidr',
      /\/24/,
    ],
    [
      'a Cilium pod range too small for the pools’ maximum',
      [
        ['network.cni', 'cilium'],
        ['network.podCidr', '172.16.0.0/22'],
        ['nodePools[0].maxCount', 10],
      ],
      'network.podCidr',
      /4 nodes .* grow to 13/,
    ],
    [
      'an internal API address outside the control-plane subnet',
      [['network.apiServer.internalIp', '10.0.1.10']],
      'network.apiServer.internalIp',
      /not in the control-plane subnet 10\.0\.0\.0\/24/,
    ],
    [
      'an internal API address Azure reserves',
      [['network.apiServer.internalIp', '10.0.0.255']],
      'network.apiServer.internalIp',
      /reserves/,
    ],
    [
      'a Kubernetes minor the bootstrap cannot install',
      [['kubernetesVersion', '1.29.4']],
      'kubernetesVersion',
      /1\.29 is not supported/,
    ],
  ])('refuses %s, naming the field', (_what, changes, path, message) => {
    const { errors } = outcome(changes);
    expect(errors).toContainEqual({ path, message: expect.stringMatching(message) as string });
  });

  it('defaults: calico, kubeadm’s ranges, the subnet’s last usable address for the internal API frontend', () => {
    const { spec } = outcome([]);
    expect(spec?.network).toMatchObject({
      cni: 'calico',
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.96.0.0/12',
      apiServer: { internalIp: '10.0.0.254' },
    });
  });

  it('picks default ranges that avoid a VNet covering kubeadm’s defaults', () => {
    const { spec } = outcome([
      ['network.vnet.cidr', '10.0.0.0/8'],
      ['network.controlPlaneSubnet.cidr', '10.0.0.0/16'],
      ['network.workerSubnet.cidr', '10.1.0.0/16'],
    ]);
    expect(spec?.network.podCidr).toBe('192.168.0.0/16');
    expect(spec?.network.serviceCidr).toBe('172.20.0.0/16');
  });

  it('keeps what the user chose', () => {
    const { spec } = outcome([
      ['network.cni', 'cilium'],
      ['network.podCidr', '172.16.0.0/16'],
      ['network.serviceCidr', '172.17.0.0/16'],
      ['network.apiServer.internalIp', '10.0.0.100'],
    ]);
    expect(spec?.network).toMatchObject({
      cni: 'cilium',
      podCidr: '172.16.0.0/16',
      serviceCidr: '172.17.0.0/16',
      apiServer: { internalIp: '10.0.0.100' },
    });
  });
});
