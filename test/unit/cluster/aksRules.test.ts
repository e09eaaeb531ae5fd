/** What AKS refuses, refused first, each naming its field. */
import { checkAksChange } from '../../../src/cluster/aksChanges';
import { checkBroughtAksNetwork } from '../../../src/cluster/aksNetworkChecks';
import {
  checkOfferedVersions,
  type OfferedKubernetesVersion,
  offeredVersionsFrom,
} from '../../../src/cluster/aksVersions';
import { type AksClusterSpec, type AksClusterSpecInput } from '../../../src/cluster/spec';
import { parseClusterSpec, type SpecError } from '../../../src/cluster/validate';
import { vmSizeCapacity } from '../../../src/cluster/vmSizes';
import { aksInput, ED25519_KEY, RSA_3072_KEY, setPath } from './fixtures';

type Change = [path: string, value: unknown];
const apply = (changes: Change[], base: AksClusterSpecInput = aksInput()): unknown =>
  changes.reduce<unknown>((input, [path, value]) => setPath(input as object, path, value), base);

/** A message that contains `text` (an asymmetric matcher typed as the string it stands for). */
const containing = (text: string): string => expect.stringContaining(text) as string;

function errorsOf(input: unknown): SpecError[] {
  const result = parseClusterSpec(input);
  if (result.ok) throw new Error(`expected errors, got a valid spec`);
  return result.errors;
}
function aksSpec(input: unknown): AksClusterSpec {
  const result = parseClusterSpec(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  if (result.spec.type !== 'aks') throw new Error('aks expected');
  return result.spec;
}

const threePools: Change = [
  'nodePools',
  [
    { name: 'system', count: 3, vmSize: 'Standard_D4s_v5' },
    { name: 'apps', count: 2, minCount: 1, maxCount: 10, vmSize: 'Standard_D8s_v5' },
  ],
];

describe('AKS validation: refusals with their field', () => {
  it.each<[string, Change[], string, string]>([
    [
      'virtual nodes with API server authorized ranges',
      [
        ['virtualNodes', { enabled: true }],
        ['apiServer.authorizedCidrs', ['203.0.113.0/24']],
      ],
      'apiServer.authorizedCidrs',
      'virtual nodes together with API server authorized IP ranges',
    ],
    [
      'an ssh-ed25519 key for the nodes',
      [['ssh', { publicKey: ED25519_KEY }]],
      'ssh.publicKey',
      'ssh-rsa keys of 2048 bits',
    ],
    [
      'a System pool on 1 vCPU',
      [['nodePools[0].vmSize', 'Standard_DS1_v2']],
      'nodePools[0].vmSize',
      'at least 2 vCPUs',
    ],
    ['a System pool on 1 GiB', [['nodePools[0].vmSize', 'Standard_B2ts_v2']], 'nodePools[0].vmSize', '4 GiB'],
    [
      'a pool three minors behind the control plane',
      [threePools, ['nodePools[1].kubernetesVersion', '1.30']],
      'nodePools[1].kubernetesVersion',
      '3 minor versions behind',
    ],
    [
      'a pool newer than the control plane',
      [threePools, ['nodePools[1].kubernetesVersion', '1.34.1']],
      'nodePools[1].kubernetesVersion',
      'newer than the control plane',
    ],
    [
      'a service range overlapping the created VNet',
      [
        ['network.serviceCidr', '10.224.0.0/16'],
        ['network.dnsServiceIP', '10.224.0.10'],
      ],
      'network.serviceCidr',
      'overlaps the VNet range 10.224.0.0/12',
    ],
    [
      'a pod range overlapping the created VNet',
      [
        ['network.pluginMode', 'overlay'],
        ['network.podCidr', '10.230.0.0/16'],
      ],
      'network.podCidr',
      'overlaps the VNet range',
    ],
    [
      'a node subnet too small for Azure CNI (nodes × (maxPods + 1))',
      [threePools, ['network.vnet', { nodeSubnetCidr: '10.224.0.0/24' }]],
      'network.vnet.nodeSubnetCidr',
      'need 403',
    ],
    [
      'a node subnet outside the VNet',
      [['network.vnet', { nodeSubnetCidr: '10.100.0.0/16' }]],
      'network.vnet.nodeSubnetCidr',
      'not inside',
    ],
    [
      'overlapping node and virtual-nodes subnets',
      [
        ['virtualNodes', { enabled: true }],
        ['network.vnet', { nodeSubnetCidr: '10.224.0.0/16', virtualNodesSubnetCidr: '10.224.128.0/17' }],
      ],
      'network.vnet.virtualNodesSubnetCidr',
      'overlaps the node subnet',
    ],
    [
      'a created VNet and a brought subnet at once',
      [
        ['network.vnet', { cidr: '10.224.0.0/12' }],
        ['network.nodeSubnet', { vnetName: 'hub', name: 'aks' }],
      ],
      'network.vnet',
      'either bring',
    ],
    [
      'virtual nodes in a brought VNet without their subnet',
      [
        ['virtualNodes', { enabled: true }],
        ['network.nodeSubnet', { vnetName: 'hub', name: 'aks' }],
      ],
      'virtualNodes.subnetName',
      'required',
    ],
    [
      'long-term support below Premium',
      [['supportPlan', 'AKSLongTermSupport']],
      'supportPlan',
      'tier: Premium',
    ],
    [
      'a policy initiative without the add-on',
      [['azurePolicy', { enabled: false, initiative: 'podSecurityBaseline' }]],
      'azurePolicy.initiative',
      'add-on',
    ],
    ['an unknown initiative', [['azurePolicy', { initiative: 'cis' }]], 'azurePolicy.initiative', ''],
    [
      'a policy effect AKS policy does not take',
      [['azurePolicy', { effect: 'Modify' }]],
      'azurePolicy.effect',
      '',
    ],
    [
      'a GitOps URL that is not Git',
      [['gitOps', { url: 'ftp://example.com/repo' }]],
      'gitOps.url',
      'https://',
    ],
    [
      'a GitOps interval that is not a duration',
      [['gitOps', { url: 'https://x/y', interval: '5 minutes' }]],
      'gitOps.interval',
      'duration',
    ],
    [
      'an autoscaler interval that is not a duration',
      [['autoscaler', { scanInterval: 20 }]],
      'autoscaler.scanInterval',
      '',
    ],
    [
      'an autoscaler setting in kebab-case',
      [['autoscaler', { 'scan-interval': '20s' }]],
      'autoscaler["scan-interval"]',
      'unknown field',
    ],
  ])('%s', (_name, changes, path, message) => {
    const errors = errorsOf(apply(changes));
    expect(errors).toContainEqual({ path, message: containing(message) });
  });

  it.each<[string, Change[]]>([
    ['a System pool on 2 vCPUs and 4 GiB', [['nodePools[0].vmSize', 'Standard_F2s_v2']]],
    ['a System pool on a low-memory 2-vCPU size', [['nodePools[0].vmSize', 'Standard_D2ls_v5']]],
    ['a pool two minors behind', [threePools, ['nodePools[1].kubernetesVersion', '1.31']]],
    ['virtual nodes with an open API server', [['virtualNodes', { enabled: true }]]],
    ['an RSA key', [['ssh', { publicKey: RSA_3072_KEY }]]],
    [
      'long-term support on Premium',
      [
        ['supportPlan', 'AKSLongTermSupport'],
        ['tier', 'Premium'],
      ],
    ],
    ['GitOps over SSH', [['gitOps', { url: 'git@github.com:example/fleet.git' }]]],
  ])('accepts %s', (_name, changes) => {
    expect(parseClusterSpec(apply(changes))).toMatchObject({ ok: true });
  });

  it('reports every AKS refusal at once', () => {
    const errors = errorsOf(
      apply([
        ['virtualNodes', { enabled: true }],
        ['apiServer.authorizedCidrs', ['203.0.113.0/24']],
        ['ssh', { publicKey: ED25519_KEY }],
        ['nodePools[0].vmSize', 'Standard_B1s'],
      ]),
    );
    expect(errors.map((e) => e.path).sort()).toEqual([
      'apiServer.authorizedCidrs',
      'nodePools[0].vmSize',
      'ssh.publicKey',
    ]);
  });
});

describe('vmSizeCapacity', () => {
  it.each<[string, number, number | undefined]>([
    ['Standard_D4s_v5', 4, 16],
    ['Standard_D2ls_v5', 2, 4],
    ['Standard_E64-16s_v5', 16, 512],
    ['Standard_F2s_v2', 2, 4],
    ['Standard_B1ms', 1, 2],
    ['Standard_B4ms', 4, undefined],
    ['Standard_NC24ads_A100_v4', 24, 168],
  ])('%s has %d vCPUs and %s GiB', (size, vCpus, memoryGiB) => {
    expect(vmSizeCapacity(size)).toEqual(memoryGiB === undefined ? { vCpus } : { vCpus, memoryGiB });
  });
});

describe('Kubernetes versions offered in the region', () => {
  // The list response's values, as ARM sends them (and the SDK returns them).
  const offered: OfferedKubernetesVersion[] = offeredVersionsFrom([
    {
      version: '1.31',
      patchVersions: { '1.31.8': { upgrades: ['1.32.4'] } },
      capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
    },
    {
      version: '1.32',
      patchVersions: { '1.32.4': {} },
      capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
    },
    {
      version: '1.33',
      isDefault: true,
      patchVersions: { '1.33.1': {}, '1.33.2': {} },
      capabilities: { supportPlan: ['KubernetesOfficial'] },
    },
    {
      version: '1.34',
      isPreview: true,
      patchVersions: { '1.34.0': {} },
      capabilities: { supportPlan: ['KubernetesOfficial'] },
    },
  ]);

  it('reads the list response', () => {
    expect(offered[2]).toEqual({
      version: '1.33',
      isPreview: false,
      patchVersions: ['1.33.1', '1.33.2'],
      supportPlans: ['KubernetesOfficial'],
    });
    expect(offered[3]?.isPreview).toBe(true);
  });

  it.each<[string, Change[], SpecError[]]>([
    ['an offered minor', [], []],
    ['an offered patch', [['kubernetesVersion', '1.33.2']], []],
    [
      'a minor the region does not offer',
      [['kubernetesVersion', '1.29']],
      [
        {
          path: 'kubernetesVersion',
          message: 'Kubernetes 1.29 is not offered by AKS in eastus (offered: 1.31, 1.32, 1.33, 1.34)',
        },
      ],
    ],
    [
      'a patch the region does not offer',
      [['kubernetesVersion', '1.33.9']],
      [
        {
          path: 'kubernetesVersion',
          message: 'Kubernetes 1.33.9 is not offered by AKS in eastus (patches of 1.33: 1.33.1, 1.33.2)',
        },
      ],
    ],
    [
      "a pool's version the region does not offer",
      [threePools, ['nodePools[1].kubernetesVersion', '1.32.1']],
      [
        {
          path: 'nodePools[1].kubernetesVersion',
          message: containing('1.32.1 is not offered'),
        },
      ],
    ],
    [
      'long-term support on a version without it',
      [
        ['supportPlan', 'AKSLongTermSupport'],
        ['tier', 'Premium'],
      ],
      [
        {
          path: 'supportPlan',
          message:
            'AKSLongTermSupport is not available for Kubernetes 1.33 in eastus (available: KubernetesOfficial)',
        },
      ],
    ],
  ])('%s', (_name, changes, expected) => {
    expect(checkOfferedVersions(aksSpec(apply(changes)), offered)).toEqual(expected);
  });
});

describe('changes AKS cannot make to an existing pool', () => {
  const previous = aksSpec(apply([threePools]));

  it.each<[string, Change[], SpecError[]]>([
    ['a count change', [threePools, ['nodePools[1].count', 5]], []],
    [
      'a new pool',
      [threePools, ['nodePools[2]', { name: 'more', count: 1, vmSize: 'Standard_D4s_v5', zones: ['1'] }]],
      [],
    ],
    ['the same zones in another order', [threePools, ['nodePools[1].zones', ['3', '2', '1']]], []],
    [
      'moving a pool to other zones',
      [threePools, ['nodePools[1].zones', ['1']]],
      [
        {
          path: 'nodePools[1].zones',
          message: containing('exists in [1, 2, 3]; AKS cannot move a pool to [1]'),
        },
      ],
    ],
    [
      'another VM size',
      [threePools, ['nodePools[0].vmSize', 'Standard_D8s_v5']],
      [
        {
          path: 'nodePools[0].vmSize',
          message: containing('created with vmSize Standard_D4s_v5'),
        },
      ],
    ],
    [
      'another max pods',
      [threePools, ['nodePools[1].maxPods', 60]],
      [
        {
          path: 'nodePools[1].maxPods',
          message: containing('maxPods default'),
        },
      ],
    ],
  ])('%s', (_name, changes, expected) => {
    expect(checkAksChange(previous, aksSpec(apply(changes)))).toEqual(expected);
  });
});

describe('a brought VNet, once read', () => {
  const brought = (changes: Change[] = []): AksClusterSpec =>
    aksSpec(apply([threePools, ['network.nodeSubnet', { vnetName: 'hub', name: 'aks' }], ...changes]));

  it('accepts ranges clear of the VNet and a big enough subnet', () => {
    expect(
      checkBroughtAksNetwork(brought(), {
        vnetAddressPrefixes: ['10.50.0.0/16'],
        nodeSubnetAddressPrefix: '10.50.0.0/20',
      }),
    ).toEqual([]);
  });

  it('refuses a service range inside the VNet', () => {
    expect(
      checkBroughtAksNetwork(brought(), {
        vnetAddressPrefixes: ['10.50.0.0/16', '10.0.0.0/8'],
        nodeSubnetAddressPrefix: '10.50.0.0/20',
      }),
    ).toEqual([
      {
        path: 'network.serviceCidr',
        message: '10.0.0.0/16 overlaps 10.0.0.0/8 of the brought VNet hub; choose a range outside it',
      },
    ]);
  });

  it('refuses a pod range inside the VNet (overlay)', () => {
    const spec = brought([['network.pluginMode', 'overlay']]);
    expect(
      checkBroughtAksNetwork(spec, {
        vnetAddressPrefixes: ['10.244.0.0/14'],
        nodeSubnetAddressPrefix: '10.244.0.0/24',
      }),
    ).toEqual([
      {
        path: 'network.podCidr',
        message: '10.244.0.0/16 overlaps 10.244.0.0/14 of the brought VNet hub; choose a range outside it',
      },
    ]);
  });

  it('refuses a node subnet that cannot hold nodes × (maxPods + 1) with Azure CNI', () => {
    // 3 × 31 + 10 × 31 = 403 addresses; a /24 has 251.
    expect(
      checkBroughtAksNetwork(brought(), {
        vnetAddressPrefixes: ['10.50.0.0/16'],
        nodeSubnetAddressPrefix: '10.50.0.0/24',
      }),
    ).toEqual([
      {
        path: 'network.nodeSubnet',
        message: containing('251 usable addresses but the node pools need 403'),
      },
    ]);
  });
});
