import { type ClusterSpec } from '../../../src/cluster/spec';
import { parseClusterSpec, type SpecError } from '../../../src/cluster/validate';
import {
  aksInput,
  broughtVnetInput,
  ECDSA_KEY,
  ED25519_KEY,
  iaasInput,
  RSA_1024_KEY,
  RSA_3072_KEY,
  setPath,
} from './fixtures';

type Input = Record<string, unknown>;
type Change = [path: string, value: unknown];

function apply(base: Input, changes: Change[]): Input {
  return changes.reduce((input, [path, value]) => setPath(input, path, value), base);
}

function errorsOf(input: unknown): SpecError[] {
  const result = parseClusterSpec(input);
  if (result.ok) throw new Error(`expected errors, got a valid spec: ${JSON.stringify(result.spec)}`);
  return result.errors;
}

function specOf(input: unknown): ClusterSpec {
  const result = parseClusterSpec(input);
  if (!result.ok) throw new Error(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return result.spec;
}

const iaas = (): Input => iaasInput();
const brought = (): Input => broughtVnetInput();
const aks = (): Input => aksInput();
const virtualNodes: Change[] = [
  ['virtualNodes', { enabled: true, subnetName: 'aci' }],
  ['network.nodeSubnet', { vnetName: 'aks-vnet', name: 'nodes' }],
];

describe('parseClusterSpec: valid specs', () => {
  it.each<[string, () => Input, Change[]]>([
    ['minimal IaaS', iaas, []],
    ['minimal AKS', aks, []],
    ['location in display form', iaas, [['location', 'East US']]],
    ['zones as YAML numbers', iaas, [['nodePools[0].zones', [1, 2, 3]]]],
    ['explicitly no zones in a zonal region', iaas, [['nodePools[0].zones', []]]],
    ['a region without zones, zones left out', iaas, [['location', 'westus']]],
    ['a brought VNet', brought, []],
    ['a brought VNet with its range', brought, [['network.vnet.cidr', '10.10.0.0/16']]],
    ['a bare address in sshAllowedCidrs', iaas, [['network.sshAllowedCidrs', ['10.0.255.4']]]],
    ['API server reachable only from the VNet', iaas, [['network.apiServer.authorizedCidrs', []]]],
    ['one control-plane node', iaas, [['controlPlane.count', 1]]],
    ['seven control-plane nodes', iaas, [['controlPlane.count', 7]]],
    [
      'an empty pool that may grow',
      iaas,
      [['nodePools[0]', { name: 'gpu', count: 0, maxCount: 4, vmSize: 'Standard_NC24ads_A100_v4' }]],
    ],
    ['a constrained-vCPU size', iaas, [['nodePools[0].vmSize', 'Standard_E64-32s_v5']]],
    ['an RSA 3072 key', iaas, [['ssh.publicKey', RSA_3072_KEY]]],
    ['a premium disk on an s size', iaas, [['nodePools[0].osDisk', { type: 'Premium_LRS', sizeGB: 256 }]]],
    ['no worker pools', iaas, [['nodePools', []]]],
    ['user tags', iaas, [['tags', { env: 'prod', 'cost.center': '42' }]]],
    ['cloud-init', iaas, [['controlPlane.cloudInit', '#cloud-config\npackages: [jq]\n']]],
    ['onFailure rollback', iaas, [['onFailure', 'rollback']]],
    [
      'AKS overlay with a pod range',
      aks,
      [
        ['network.pluginMode', 'overlay'],
        ['network.podCidr', '10.244.0.0/16'],
      ],
    ],
    [
      'AKS kubenet with calico',
      aks,
      [
        ['network.plugin', 'kubenet'],
        ['network.policy', 'calico'],
      ],
    ],
    ['AKS private API server', aks, [['apiServer.private', true]]],
    ['AKS virtual nodes', aks, virtualNodes],
    ['AKS with an SSH key', aks, [['ssh', { publicKey: RSA_3072_KEY }]]],
    [
      'AKS autoscaling pools',
      aks,
      [
        ['nodePools[0].minCount', 1],
        ['nodePools[0].maxCount', 10],
      ],
    ],
    [
      'AKS admin groups without Azure RBAC',
      aks,
      [['aad', { enableAzureRBAC: false, adminGroupObjectIDs: ['6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d'] }]],
    ],
  ])('%s', (_name, base, changes) => {
    expect(parseClusterSpec(apply(base(), changes)).ok).toBe(true);
  });

  it('accepts JSON and YAML text', () => {
    expect(specOf(JSON.stringify(iaasInput()))).toEqual(specOf(iaasInput()));
    const yaml = `type: iaas\nname: demo\nresourceGroup: rg-demo\nlocation: eastus\nkubernetesVersion: "1.33.2"\nnodePools:\n  - { name: pool1, count: 3, vmSize: Standard_D4s_v5 }\nssh:\n  publicKey: ${ED25519_KEY}\n`;
    expect(specOf(yaml)).toEqual(specOf(iaasInput()));
  });
});

describe('parseClusterSpec: defaults', () => {
  it('resolves every IaaS default', () => {
    expect(specOf(iaasInput())).toEqual({
      type: 'iaas',
      name: 'demo',
      resourceGroup: 'rg-demo',
      location: 'eastus',
      kubernetesVersion: '1.33.2',
      tags: {},
      onFailure: 'keep',
      network: {
        vnet: { name: 'demo-vnet', cidr: '10.0.0.0/16' },
        controlPlaneSubnet: {
          name: 'control-plane',
          cidr: '10.0.0.0/24',
          nsg: { name: 'demo-control-plane-nsg', resourceGroup: 'rg-demo' },
        },
        workerSubnet: {
          name: 'workers',
          cidr: '10.0.1.0/24',
          nsg: { name: 'demo-workers-nsg', resourceGroup: 'rg-demo' },
        },
        apiServer: { authorizedCidrs: ['0.0.0.0/0'], internalIp: '10.0.0.254' },
        cni: 'calico',
        podCidr: '10.244.0.0/16',
        serviceCidr: '10.96.0.0/12',
        sshAllowedCidrs: [],
      },
      controlPlane: {
        count: 3,
        vmSize: 'Standard_D2s_v5',
        zones: ['1', '2', '3'],
        osDisk: { sizeGB: 128, type: 'StandardSSD_LRS' },
      },
      nodePools: [
        {
          name: 'pool1',
          count: 3,
          minCount: 3,
          maxCount: 3,
          vmSize: 'Standard_D4s_v5',
          zones: ['1', '2', '3'],
          osDisk: { sizeGB: 128, type: 'StandardSSD_LRS' },
        },
      ],
      ssh: { publicKey: ED25519_KEY, adminUsername: 'azureuser' },
      image: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    });
  });

  it('resolves every AKS default', () => {
    expect(specOf(aksInput())).toEqual({
      type: 'aks',
      name: 'demo-aks',
      resourceGroup: 'rg-demo',
      location: 'eastus',
      kubernetesVersion: '1.33',
      tags: {},
      onFailure: 'keep',
      tier: 'Standard',
      supportPlan: 'KubernetesOfficial',
      autoscaler: {},
      dnsPrefix: 'demo-aks',
      nodePools: [
        {
          name: 'system',
          count: 3,
          minCount: 3,
          maxCount: 3,
          vmSize: 'Standard_D4s_v5',
          zones: ['1', '2', '3'],
          mode: 'System',
          clusterAutoscaler: false,
          kubernetesVersion: '1.33',
        },
      ],
      aad: { enableAzureRBAC: true, adminGroupObjectIDs: [] },
      disableLocalAccounts: true,
      azurePolicy: {
        enabled: true,
        effect: 'Audit',
        excludedNamespaces: [
          'kube-system',
          'gatekeeper-system',
          'azure-arc',
          'azure-extensions-usage-system',
        ],
      },
      keda: { enabled: true },
      virtualNodes: { enabled: false },
      apiServer: { private: false, authorizedCidrs: ['0.0.0.0/0'] },
      network: {
        plugin: 'azure',
        serviceCidr: '10.0.0.0/16',
        dnsServiceIP: '10.0.0.10',
        vnet: { name: 'demo-aks-vnet', cidr: '10.224.0.0/12', nodeSubnetCidr: '10.224.0.0/16' },
      },
    });
  });

  it('derives subnet ranges from the VNet range', () => {
    const spec = specOf(setPath(iaasInput(), 'network.vnet.cidr', '192.168.0.0/26'));
    expect(
      spec.type === 'iaas' && [spec.network.controlPlaneSubnet.cidr, spec.network.workerSubnet.cidr],
    ).toEqual(['192.168.0.0/27', '192.168.0.32/27']);
  });

  it('takes a bare address as /32, zones as strings and the display location as its ARM name', () => {
    const spec = specOf(
      apply(iaas(), [
        ['network.sshAllowedCidrs', ['10.0.255.4']],
        ['nodePools[0].zones', [3, 1]],
        ['location', 'East US'],
      ]),
    );
    if (spec.type !== 'iaas') throw new Error('iaas expected');
    expect(spec.network.sshAllowedCidrs).toEqual(['10.0.255.4/32']);
    expect(spec.nodePools[0]?.zones).toEqual(['3', '1']);
    expect(spec.location).toBe('eastus');
  });

  it('gives a region without zones no zones, and the first AKS pool mode System', () => {
    const spec = specOf(
      apply(aks(), [
        ['location', 'westus'],
        ['nodePools[1]', { name: 'apps', count: 1, vmSize: 'Standard_D4s_v5' }],
      ]),
    );
    if (spec.type !== 'aks') throw new Error('aks expected');
    expect(spec.nodePools.map((pool) => [pool.mode, pool.zones])).toEqual([
      ['System', []],
      ['User', []],
    ]);
  });

  it('defaults the pod range for overlay and kubenet only', () => {
    const overlay = specOf(setPath(aksInput(), 'network.pluginMode', 'overlay'));
    const azure = specOf(aksInput());
    expect(overlay.type === 'aks' && overlay.network.podCidr).toBe('10.244.0.0/16');
    expect(azure.type === 'aks' && azure.network.podCidr).toBeUndefined();
  });

  it('is idempotent: a resolved spec parses to itself', () => {
    for (const input of [iaasInput(), broughtVnetInput(), aksInput(), apply(aks(), virtualNodes)]) {
      const spec = specOf(input);
      expect(specOf(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    }
  });
});

const longName = (n: number) => 'a'.repeat(n);

describe('parseClusterSpec: every rule, naming the path', () => {
  it.each<[string, () => Input, Change[], string, string]>([
    // common fields
    ['missing name', iaas, [['name', undefined]], 'name', 'required'],
    ['uppercase cluster name', iaas, [['name', 'Demo']], 'name', 'lowercase'],
    ['cluster name too long', iaas, [['name', longName(41)]], 'name', '1 to 40'],
    ['resource group ending with a period', iaas, [['resourceGroup', 'rg.']], 'resourceGroup', 'period'],
    ['resource group too long', iaas, [['resourceGroup', longName(91)]], 'resourceGroup', '1 to 90'],
    ['unknown region', iaas, [['location', 'mars']], 'location', 'unknown Azure region'],
    ['version read as a YAML number', iaas, [['kubernetesVersion', 1.3]], 'kubernetesVersion', 'quote it'],
    [
      'version not a version',
      iaas,
      [['kubernetesVersion', 'latest']],
      'kubernetesVersion',
      'not a Kubernetes version',
    ],
    ['unknown type', iaas, [['type', 'gke']], 'type', '"iaas" or "aks"'],
    ['unknown top-level field', iaas, [['nodepools', []]], 'nodepools', 'unknown field'],
    [
      'unknown nested field',
      iaas,
      [['network.vnet.cidrs', ['10.0.0.0/16']]],
      'network.vnet.cidrs',
      'unknown field',
    ],
    ['unknown pool field', iaas, [['nodePools[0].size', 3]], 'nodePools[0].size', 'unknown field'],
    [
      'reserved tag name',
      iaas,
      [['tags', { 'clusterProvisioner.cluster': 'x' }]],
      'tags["clusterProvisioner.cluster"]',
      'reserved',
    ],
    ['tag value too long', iaas, [['tags', { env: longName(257) }]], 'tags.env', '256'],
    ['bad onFailure', iaas, [['onFailure', 'explode']], 'onFailure', ''],
    // VNet and subnets
    [
      'malformed VNet CIDR',
      iaas,
      [['network.vnet.cidr', '10.0.0/16']],
      'network.vnet.cidr',
      'not an IPv4 CIDR',
    ],
    [
      'VNet CIDR with host bits',
      iaas,
      [['network.vnet.cidr', '10.0.0.1/16']],
      'network.vnet.cidr',
      'host bits',
    ],
    [
      'VNet too small for two subnets',
      iaas,
      [['network.vnet.cidr', '10.0.0.0/29']],
      'network.vnet.cidr',
      '/8 to /28',
    ],
    ['VNet too large', iaas, [['network.vnet.cidr', '10.0.0.0/7']], 'network.vnet.cidr', '/8 to /28'],
    ['VNet name too short', iaas, [['network.vnet.name', 'v']], 'network.vnet.name', '2 to 64'],
    [
      'control-plane subnet outside the VNet',
      iaas,
      [['network.controlPlaneSubnet.cidr', '10.1.0.0/24']],
      'network.controlPlaneSubnet.cidr',
      'not inside the VNet',
    ],
    [
      'worker subnet outside the VNet',
      iaas,
      [['network.workerSubnet.cidr', '192.168.0.0/24']],
      'network.workerSubnet.cidr',
      'not inside the VNet',
    ],
    [
      'overlapping subnets',
      iaas,
      [['network.workerSubnet.cidr', '10.0.0.128/25']],
      'network.workerSubnet.cidr',
      'overlaps',
    ],
    [
      'subnet smaller than /29',
      iaas,
      [['network.workerSubnet.cidr', '10.0.1.0/30']],
      'network.workerSubnet.cidr',
      '/29',
    ],
    [
      'same subnet names',
      iaas,
      [['network.workerSubnet.name', 'control-plane']],
      'network.workerSubnet.name',
      'must differ',
    ],
    [
      'same NSG for both subnets',
      iaas,
      [
        ['network.controlPlaneSubnet.nsg', { name: 'one' }],
        ['network.workerSubnet.nsg', { name: 'one' }],
      ],
      'network.workerSubnet.nsg.name',
      'its own NSG',
    ],
    [
      'invalid subnet name',
      iaas,
      [['network.controlPlaneSubnet.name', 'bad name!']],
      'network.controlPlaneSubnet.name',
      'invalid',
    ],
    [
      'NSG name too long',
      iaas,
      [['network.workerSubnet.nsg', { name: longName(81) }]],
      'network.workerSubnet.nsg.name',
      '1 to 80',
    ],
    [
      'NSG resource group for a new VNet',
      iaas,
      [['network.controlPlaneSubnet.nsg', { resourceGroup: 'rg-other' }]],
      'network.controlPlaneSubnet.nsg.resourceGroup',
      'only for a brought VNet',
    ],
    [
      'too many control-plane nodes for the subnet',
      iaas,
      [
        ['network.controlPlaneSubnet.cidr', '10.0.0.0/29'],
        ['controlPlane.count', 5],
      ],
      'network.controlPlaneSubnet.cidr',
      'usable addresses',
    ],
    [
      'pools may outgrow the worker subnet',
      iaas,
      [
        ['network.workerSubnet.cidr', '10.0.1.0/28'],
        ['nodePools[0].maxCount', 20],
      ],
      'network.workerSubnet.cidr',
      'may grow to 20',
    ],
    // brought VNet
    [
      'brought VNet with a name',
      brought,
      [['network.vnet.name', 'x-vnet']],
      'network.vnet.name',
      'not allowed',
    ],
    [
      'brought VNet without a resource group',
      brought,
      [['network.vnet.existing.resourceGroup', undefined]],
      'network.vnet.existing.resourceGroup',
      'required',
    ],
    [
      'brought VNet, subnet name missing',
      brought,
      [['network.controlPlaneSubnet.name', undefined]],
      'network.controlPlaneSubnet.name',
      'required when the VNet is brought',
    ],
    [
      'brought VNet, subnet range missing',
      brought,
      [['network.workerSubnet.cidr', undefined]],
      'network.workerSubnet.cidr',
      'required when the VNet is brought',
    ],
    [
      'brought VNet, NSG missing',
      brought,
      [['network.workerSubnet.nsg', undefined]],
      'network.workerSubnet.nsg.name',
      'required when the VNet is brought',
    ],
    [
      'brought VNet range not holding a subnet',
      brought,
      [['network.vnet.cidr', '10.10.0.0/22']],
      'network.workerSubnet.cidr',
      'not inside the VNet',
    ],
    // control plane
    ['even control-plane count', iaas, [['controlPlane.count', 2]], 'controlPlane.count', 'odd'],
    ['nine control-plane nodes', iaas, [['controlPlane.count', 9]], 'controlPlane.count', '1, 3, 5 or 7'],
    [
      'zone the region lacks',
      iaas,
      [['controlPlane.zones', ['1', '4']]],
      'controlPlane.zones[1]',
      'does not exist in eastus',
    ],
    [
      'bad control-plane size',
      iaas,
      [['controlPlane.vmSize', 'D2s_v5']],
      'controlPlane.vmSize',
      'not an Azure VM size',
    ],
    [
      'cloud-init too large',
      iaas,
      [['controlPlane.cloudInit', longName(64 * 1024 + 1)]],
      'controlPlane.cloudInit',
      'limited',
    ],
    // node pools
    [
      'zones in a region without zones',
      iaas,
      [
        ['location', 'westus'],
        ['nodePools[0].zones', ['1']],
      ],
      'nodePools[0].zones',
      'no availability zones',
    ],
    ['duplicate zone', iaas, [['nodePools[0].zones', [1, 1]]], 'nodePools[0].zones[1]', 'duplicate'],
    [
      'minCount above count',
      iaas,
      [['nodePools[0].minCount', 4]],
      'nodePools[0].minCount',
      'must not exceed count',
    ],
    ['maxCount below count', iaas, [['nodePools[0].maxCount', 2]], 'nodePools[0].maxCount', 'at least count'],
    ['negative count', iaas, [['nodePools[0].count', -1]], 'nodePools[0].count', ''],
    ['fractional count', iaas, [['nodePools[0].count', 1.5]], 'nodePools[0].count', 'int'],
    ['count above the pool limit', iaas, [['nodePools[0].count', 1001]], 'nodePools[0].count', ''],
    [
      'VM size without Standard_',
      iaas,
      [['nodePools[0].vmSize', 'D4s_v5']],
      'nodePools[0].vmSize',
      'not an Azure VM size',
    ],
    [
      'lowercase VM size',
      iaas,
      [['nodePools[0].vmSize', 'standard_d4s_v5']],
      'nodePools[0].vmSize',
      'not an Azure VM size',
    ],
    [
      'premium disk on a size without premium storage',
      iaas,
      [
        ['nodePools[0].vmSize', 'Standard_D4_v5'],
        ['nodePools[0].osDisk', { type: 'Premium_LRS' }],
      ],
      'nodePools[0].osDisk.type',
      'premium',
    ],
    ['OS disk too small', iaas, [['nodePools[0].osDisk', { sizeGB: 10 }]], 'nodePools[0].osDisk.sizeGB', ''],
    ['pool name with uppercase', iaas, [['nodePools[0].name', 'Pool1']], 'nodePools[0].name', 'lowercase'],
    ['pool name too long', iaas, [['nodePools[0].name', 'abcdefghijklm']], 'nodePools[0].name', '1 to 12'],
    [
      'duplicate pool names',
      iaas,
      [['nodePools[1]', { name: 'pool1', count: 1, vmSize: 'Standard_D4s_v5' }]],
      'nodePools[1].name',
      'duplicate',
    ],
    ['pool named cp', iaas, [['nodePools[0].name', 'cp']], 'nodePools[0].name', 'reserved'],
    [
      'AKS-only field on an IaaS pool',
      iaas,
      [['nodePools[0].mode', 'System']],
      'nodePools[0].mode',
      'unknown field',
    ],
    // SSH and firewall ranges
    ['missing SSH key', iaas, [['ssh', undefined]], 'ssh', 'required'],
    [
      'private key',
      iaas,
      [['ssh.publicKey', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----']],
      'ssh.publicKey',
      'private key',
    ],
    [
      'password instead of a key',
      iaas,
      [['ssh.publicKey', 'hunter2']],
      'ssh.publicKey',
      'passwords are not accepted',
    ],
    ['RSA key too short', iaas, [['ssh.publicKey', RSA_1024_KEY]], 'ssh.publicKey', 'at least 2048'],
    ['ECDSA key', iaas, [['ssh.publicKey', ECDSA_KEY]], 'ssh.publicKey', 'ssh-rsa'],
    [
      'key type and data disagree',
      iaas,
      [['ssh.publicKey', ED25519_KEY.replace('ssh-ed25519', 'ssh-rsa')]],
      'ssh.publicKey',
      'does not hold',
    ],
    ['key data not base64', iaas, [['ssh.publicKey', 'ssh-ed25519 not*base64']], 'ssh.publicKey', 'base64'],
    [
      'two keys',
      iaas,
      [['ssh.publicKey', `${ED25519_KEY}\n${ED25519_KEY}`]],
      'ssh.publicKey',
      'only one key',
    ],
    ['reserved admin user', iaas, [['ssh.adminUsername', 'root']], 'ssh.adminUsername', 'reserved'],
    ['invalid admin user', iaas, [['ssh.adminUsername', 'Admin User']], 'ssh.adminUsername', 'invalid'],
    [
      'SSH from anywhere',
      iaas,
      [['network.sshAllowedCidrs', ['10.0.0.0/8', '0.0.0.0/0']]],
      'network.sshAllowedCidrs[1]',
      'not allowed',
    ],
    [
      'SSH from anywhere, split in halves',
      iaas,
      [['network.sshAllowedCidrs', ['0.0.0.0/1', '128.0.0.0/1']]],
      'network.sshAllowedCidrs[0]',
      'too wide',
    ],
    [
      'SSH range not a range',
      iaas,
      [['network.sshAllowedCidrs', ['bastion']]],
      'network.sshAllowedCidrs[0]',
      'not an IPv4 CIDR',
    ],
    [
      'duplicate authorized range',
      iaas,
      [['network.apiServer.authorizedCidrs', ['1.2.3.4', '1.2.3.4/32']]],
      'network.apiServer.authorizedCidrs[1]',
      'duplicate',
    ],
    // AKS
    ['AKS without pools', aks, [['nodePools', []]], 'nodePools', 'at least one node pool'],
    ['AKS without a System pool', aks, [['nodePools[0].mode', 'User']], 'nodePools', 'mode: System'],
    ['AKS empty System pool', aks, [['nodePools[0].count', 0]], 'nodePools[0].count', 'at least one node'],
    [
      'AKS System pool that may scale to zero',
      aks,
      [['nodePools[0].minCount', 0]],
      'nodePools[0].minCount',
      'at least one node',
    ],
    [
      'AKS pool name with a hyphen',
      aks,
      [['nodePools[0].name', 'sys-pool']],
      'nodePools[0].name',
      'lowercase',
    ],
    ['AKS max pods too low', aks, [['nodePools[0].maxPods', 5]], 'nodePools[0].maxPods', ''],
    ['AKS OS disk too small', aks, [['nodePools[0].osDiskSizeGB', 10]], 'nodePools[0].osDiskSizeGB', ''],
    [
      'AKS zone the region lacks',
      aks,
      [['nodePools[0].zones', ['0']]],
      'nodePools[0].zones[0]',
      'does not exist',
    ],
    ['AKS bad DNS prefix', aks, [['dnsPrefix', '-demo']], 'dnsPrefix', 'invalid'],
    [
      'AKS node resource group name too long',
      aks,
      [['resourceGroup', longName(62)]],
      'name',
      '80 characters',
    ],
    ['AKS bad tier', aks, [['tier', 'Gold']], 'tier', ''],
    [
      'AKS overlay with kubenet',
      aks,
      [
        ['network.plugin', 'kubenet'],
        ['network.pluginMode', 'overlay'],
      ],
      'network.pluginMode',
      'plugin: azure',
    ],
    [
      'AKS pod range with plain Azure CNI',
      aks,
      [['network.podCidr', '10.244.0.0/16']],
      'network.podCidr',
      'applies only',
    ],
    [
      'AKS pod range overlapping services',
      aks,
      [
        ['network.pluginMode', 'overlay'],
        ['network.podCidr', '10.0.0.0/8'],
      ],
      'network.podCidr',
      'overlaps network.serviceCidr',
    ],
    [
      'AKS service range AKS reserves',
      aks,
      [
        ['network.serviceCidr', '172.30.0.0/16'],
        ['network.dnsServiceIP', '172.30.0.10'],
      ],
      'network.serviceCidr',
      'reserves',
    ],
    [
      'AKS DNS address outside the service range',
      aks,
      [['network.dnsServiceIP', '10.1.0.10']],
      'network.dnsServiceIP',
      'not inside',
    ],
    [
      'AKS DNS address on the kubernetes service',
      aks,
      [['network.dnsServiceIP', '10.0.0.1']],
      'network.dnsServiceIP',
      'reserved',
    ],
    [
      'AKS DNS address not an address',
      aks,
      [['network.dnsServiceIP', 'ten']],
      'network.dnsServiceIP',
      'not an IPv4 address',
    ],
    [
      'AKS Azure policy with kubenet',
      aks,
      [
        ['network.plugin', 'kubenet'],
        ['network.policy', 'azure'],
      ],
      'network.policy',
      'needs plugin: azure',
    ],
    [
      'AKS policy with BYO CNI',
      aks,
      [
        ['network.plugin', 'none'],
        ['network.policy', 'calico'],
      ],
      'network.policy',
      'own CNI',
    ],
    [
      'AKS virtual nodes without their subnet',
      aks,
      [
        ['virtualNodes', { enabled: true }],
        ['network.nodeSubnet', { vnetName: 'v1', name: 'nodes' }],
      ],
      'virtualNodes.subnetName',
      'required',
    ],
    [
      'AKS virtual nodes on the created nodes subnet',
      aks,
      [['virtualNodes', { enabled: true, subnetName: 'nodes' }]],
      'virtualNodes.subnetName',
      'of their own',
    ],
    [
      'AKS virtual nodes with overlay',
      aks,
      [...virtualNodes, ['network.pluginMode', 'overlay']],
      'network.pluginMode',
      'virtual nodes',
    ],
    [
      'AKS virtual nodes with kubenet',
      aks,
      [...virtualNodes, ['network.plugin', 'kubenet']],
      'network.plugin',
      'virtual nodes',
    ],
    [
      'AKS virtual nodes on the nodes subnet',
      aks,
      [...virtualNodes, ['virtualNodes.subnetName', 'nodes']],
      'virtualNodes.subnetName',
      'of its own',
    ],
    [
      'AKS private API with authorized ranges',
      aks,
      [['apiServer', { private: true, authorizedCidrs: ['1.2.3.0/24'] }]],
      'apiServer.authorizedCidrs',
      'private',
    ],
    [
      'AKS admin group not a GUID',
      aks,
      [['aad.adminGroupObjectIDs', ['admins']]],
      'aad.adminGroupObjectIDs[0]',
      'GUID',
    ],
    ['AKS tenant not a GUID', aks, [['aad.tenantId', 'contoso']], 'aad.tenantId', 'GUID'],
    [
      'AKS nobody could sign in',
      aks,
      [['aad.enableAzureRBAC', false]],
      'aad.adminGroupObjectIDs',
      'nobody can sign in',
    ],
    [
      'AKS private key',
      aks,
      [['ssh', { publicKey: '-----BEGIN RSA PRIVATE KEY-----' }]],
      'ssh.publicKey',
      'private key',
    ],
    ['IaaS field on AKS', aks, [['controlPlane', { count: 3 }]], 'controlPlane', 'unknown field'],
  ])('%s', (_name, base, changes, path, fragment) => {
    const errors = errorsOf(apply(base(), changes));
    const match = errors.find((error) => error.path === path && error.message.includes(fragment));
    if (!match)
      throw new Error(`no error at ${path} containing "${fragment}"; got ${JSON.stringify(errors, null, 1)}`);
  });

  it.each<[string, unknown, string]>([
    ['broken YAML', 'type: iaas\nname: [', 'not valid YAML'],
    ['broken JSON', '{"type": "iaas",', 'not valid JSON'],
    ['empty text', '  \n', 'the spec is empty'],
    ['null', null, 'the spec is empty'],
    ['a list', [], 'expected object'],
    ['a YAML scalar', 'hello', 'expected object'],
  ])('reports %s at the root', (_name, input, fragment) => {
    const errors = errorsOf(input);
    expect(errors).toEqual([
      expect.objectContaining({ path: '', message: expect.stringContaining(fragment) as string }),
    ]);
  });

  it.each<[string, string, RegExp]>([
    [
      'a YAML line',
      'type: iaas\nname: demo\nssh:\n  publicKey: "ssh-rsa AAAAFAKEKEYsk-live-51Hsecret\n  adminUsername: : x\n',
      /^not valid YAML: .+ at line \d+, column \d+$/,
    ],
    ['a JSON value', '{"type": "iaas", "token": sk-live-51Hsecret}', /^not valid JSON: /],
  ])('never echoes the source of %s that does not parse (it may hold a key)', (_name, text, shape) => {
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.message).toMatch(shape);
      expect(error.message).not.toContain('sk-live');
      expect(error.message).not.toContain('AAAAFAKEKEY');
      expect(error.message).not.toContain('\n');
    }
  });

  it('reports every problem at once, schema and cross-field alike', () => {
    const errors = errorsOf(
      apply(iaas(), [
        ['name', 'Bad_Name'],
        ['controlPlane.count', 4],
        ['network.workerSubnet.cidr', '10.0.0.0/23'],
        ['nodePools[0].minCount', 9],
        ['nodePools[0].vmSize', 'big'],
        ['ssh.publicKey', 'hunter2'],
        ['extra', true],
      ]),
    );
    expect(errors.map((error) => error.path).sort()).toEqual(
      [
        'controlPlane.count',
        'extra',
        'name',
        'network.workerSubnet.cidr',
        'nodePools[0].minCount',
        'nodePools[0].vmSize',
        'ssh.publicKey',
      ].sort(),
    );
  });

  it('never echoes a rejected key or password', () => {
    const secret = 'correct-horse-battery-staple';
    const messages = errorsOf(setPath(iaasInput(), 'ssh.publicKey', secret)).map((error) => error.message);
    expect(messages.join('\n')).not.toContain(secret);
  });
});
