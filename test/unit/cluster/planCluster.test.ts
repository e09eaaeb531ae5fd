import { keyVaultName } from '../../../src/cluster/bootstrap/names';
import { type Plan, planCluster, PlanError, type PlannedResource } from '../../../src/cluster/plan';
import { type ClusterSpec } from '../../../src/cluster/spec';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { broughtVnetInput, ED25519_KEY, iaasInput, setPath, SUBSCRIPTION_ID } from './fixtures';

function specOf(input: unknown): ClusterSpec {
  const result = parseClusterSpec(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

const customDataOf = (vm: PlannedResource): string =>
  Buffer.from(
    (vm.body.properties as { osProfile: { customData: string } }).osProfile.customData,
    'base64',
  ).toString('utf8');
const plan = (input: unknown): Plan => planCluster(specOf(input), { subscriptionId: SUBSCRIPTION_ID });
const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers`;
const vnetId = `${rg}/Microsoft.Network/virtualNetworks/demo-vnet`;
const cpSubnetId = `${vnetId}/subnets/control-plane`;
const workerSubnetId = `${vnetId}/subnets/workers`;
const cpNsgId = `${rg}/Microsoft.Network/networkSecurityGroups/demo-control-plane-nsg`;
const workerNsgId = `${rg}/Microsoft.Network/networkSecurityGroups/demo-workers-nsg`;
const natId = `${rg}/Microsoft.Network/natGateways/demo-nat`;
const natIpId = `${rg}/Microsoft.Network/publicIPAddresses/demo-nat-pip`;
const apiIpId = `${rg}/Microsoft.Network/publicIPAddresses/demo-api-pip`;
const lbId = `${rg}/Microsoft.Network/loadBalancers/demo-api-lb`;
const ilbId = `${rg}/Microsoft.Network/loadBalancers/demo-api-ilb`;

function byName(p: Plan, name: string): PlannedResource {
  const found = p.resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource ${name} in ${p.resources.map((r) => r.name).join(', ')}`);
  return found;
}

function tags(role: string, extra: Record<string, string> = {}) {
  return { 'clusterProvisioner.cluster': 'demo', 'clusterProvisioner.role': role, ...extra };
}

/** Flattens a rule to `priority name access protocol sources -> ports dest` for readable tables. */
function ruleLines(body: PlannedResource['body']): string[] {
  const properties = body.properties as {
    securityRules: { name: string; properties: Record<string, unknown> }[];
  };
  return properties.securityRules.map(({ name, properties: p }) => {
    const sources =
      (p.sourceAddressPrefixes as string[] | undefined)?.join(',') ?? (p.sourceAddressPrefix as string);
    return `${String(p.priority)} ${name} ${String(p.access)} ${String(p.protocol)} ${sources} -> ${String(p.destinationPortRange)} ${String(p.destinationAddressPrefix)}`;
  });
}

describe('planCluster: IaaS', () => {
  const p = plan(iaasInput());

  it('plans every resource once, network first, in a stable order', () => {
    expect(p.cluster).toEqual({
      name: 'demo',
      type: 'iaas',
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: 'rg-demo',
      location: 'eastus',
      zones: ['1', '2', '3'],
    });
    expect(p.resources.map((r) => `${r.role}:${r.name}`)).toEqual([
      'vnet:demo-vnet',
      'controlPlaneNsg:demo-control-plane-nsg',
      'workerNsg:demo-workers-nsg',
      'natGatewayPublicIp:demo-nat-pip',
      'natGateway:demo-nat',
      'controlPlaneSubnet:control-plane',
      'workerSubnet:workers',
      'apiServerPublicIp:demo-api-pip',
      'apiServerLoadBalancer:demo-api-lb',
      'apiServerInternalLoadBalancer:demo-api-ilb',
      'nodeIdentity:demo-control-plane-id',
      'nodeIdentity:demo-workers-id',
      `clusterVault:${keyVaultName(SUBSCRIPTION_ID, 'rg-demo', 'demo')}`,
      ...p.resources
        .filter((r) => r.role === 'vaultAppRoleAssignment')
        .map((r) => `vaultAppRoleAssignment:${r.name}`),
      ...p.resources
        .filter((r) => r.role === 'vaultRoleAssignment')
        .map((r) => `vaultRoleAssignment:${r.name}`),
      ...[0, 1, 2].flatMap((i) => [`controlPlaneNic:demo-cp-${i}-nic`, `controlPlaneVm:demo-cp-${i}`]),
      ...[0, 1, 2].flatMap((i) => [`workerNic:demo-pool1-${i}-nic`, `workerVm:demo-pool1-${i}`]),
    ]);
    expect(new Set(p.resources.map((r) => r.id)).size).toBe(p.resources.length);
    expect(p.resources.every((r) => r.owned)).toBe(true);
  });

  it('plans the VNet without subnets', () => {
    expect(byName(p, 'demo-vnet')).toEqual({
      id: vnetId,
      type: 'Microsoft.Network/virtualNetworks',
      name: 'demo-vnet',
      role: 'vnet',
      dependsOn: [],
      owned: true,
      body: {
        location: 'eastus',
        tags: tags('vnet'),
        properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
      },
    });
  });

  it('plans each subnet as a child resource with its own NSG and the NAT gateway, one after the other', () => {
    expect(byName(p, 'control-plane')).toMatchObject({
      id: cpSubnetId,
      type: 'Microsoft.Network/virtualNetworks/subnets',
      dependsOn: [vnetId, cpNsgId, natId],
      body: {
        properties: {
          addressPrefix: '10.0.0.0/24',
          networkSecurityGroup: { id: cpNsgId },
          natGateway: { id: natId },
          defaultOutboundAccess: false,
        },
      },
    });
    expect(byName(p, 'workers')).toMatchObject({
      id: workerSubnetId,
      dependsOn: [vnetId, workerNsgId, natId, cpSubnetId],
      body: {
        properties: {
          addressPrefix: '10.0.1.0/24',
          networkSecurityGroup: { id: workerNsgId },
          natGateway: { id: natId },
          defaultOutboundAccess: false,
        },
      },
    });
  });

  it('gives the control-plane subnet least-privilege rules', () => {
    const nsg = byName(p, 'demo-control-plane-nsg');
    expect(nsg.body).toMatchObject({ location: 'eastus', tags: tags('controlPlaneNsg') });
    expect(ruleLines(nsg.body)).toEqual([
      '100 allow-apiserver-authorized Allow Tcp 0.0.0.0/0 -> 6443 10.0.0.0/24',
      '110 allow-apiserver-vnet Allow Tcp VirtualNetwork -> 6443 10.0.0.0/24',
      '120 allow-apiserver-lb-probe Allow Tcp AzureLoadBalancer -> 6443 10.0.0.0/24',
      '130 allow-etcd-control-plane Allow Tcp 10.0.0.0/24 -> 2379-2380 10.0.0.0/24',
      '140 allow-kubelet-control-plane Allow Tcp 10.0.0.0/24 -> 10250 10.0.0.0/24',
      '4000 deny-etcd Deny Tcp * -> 2379-2380 *',
      '4010 deny-kubelet Deny Tcp * -> 10250 *',
      '4020 deny-ssh Deny Tcp * -> 22 *',
      '4096 deny-internet-inbound Deny * Internet -> * *',
    ]);
    const first = (nsg.body.properties as { securityRules: unknown[] }).securityRules[0];
    expect(first).toEqual({
      name: 'allow-apiserver-authorized',
      properties: {
        description: 'Kubernetes API server from the authorized ranges',
        priority: 100,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourcePortRange: '*',
        sourceAddressPrefix: '0.0.0.0/0',
        destinationPortRange: '6443',
        destinationAddressPrefix: '10.0.0.0/24',
      },
    });
  });

  it('gives the worker subnet least-privilege rules', () => {
    expect(ruleLines(byName(p, 'demo-workers-nsg').body)).toEqual([
      '100 allow-kubelet-control-plane Allow Tcp 10.0.0.0/24 -> 10250 10.0.1.0/24',
      '4000 deny-kubelet Deny Tcp * -> 10250 *',
      '4010 deny-ssh Deny Tcp * -> 22 *',
      '4096 deny-internet-inbound Deny * Internet -> * *',
    ]);
  });

  it('opens SSH to the allowed ranges only, and the API server to the authorized ones', () => {
    const narrowed = plan(
      setPath(
        setPath(iaasInput(), 'network.sshAllowedCidrs', ['10.0.255.0/27', '192.168.1.1']),
        'network.apiServer.authorizedCidrs',
        ['203.0.113.0/24'],
      ),
    );
    expect(ruleLines(byName(narrowed, 'demo-control-plane-nsg').body)).toEqual(
      expect.arrayContaining([
        '100 allow-apiserver-authorized Allow Tcp 203.0.113.0/24 -> 6443 10.0.0.0/24',
        '150 allow-ssh Allow Tcp 10.0.255.0/27,192.168.1.1/32 -> 22 10.0.0.0/24',
      ]),
    );
    expect(ruleLines(byName(narrowed, 'demo-workers-nsg').body)).toContain(
      '110 allow-ssh Allow Tcp 10.0.255.0/27,192.168.1.1/32 -> 22 10.0.1.0/24',
    );
    const vnetOnly = plan(setPath(iaasInput(), 'network.apiServer.authorizedCidrs', []));
    expect(ruleLines(byName(vnetOnly, 'demo-control-plane-nsg').body)[0]).toMatch(
      /^110 allow-apiserver-vnet/,
    );
  });

  it('plans the NAT gateway with its Standard public IP', () => {
    expect(byName(p, 'demo-nat-pip')).toMatchObject({
      dependsOn: [],
      body: {
        location: 'eastus',
        tags: tags('natGatewayPublicIp'),
        sku: { name: 'Standard', tier: 'Regional' },
        properties: {
          publicIPAllocationMethod: 'Static',
          publicIPAddressVersion: 'IPv4',
          idleTimeoutInMinutes: 4,
        },
      },
    });
    expect(byName(p, 'demo-nat')).toEqual({
      id: natId,
      type: 'Microsoft.Network/natGateways',
      name: 'demo-nat',
      role: 'natGateway',
      dependsOn: [natIpId],
      owned: true,
      body: {
        location: 'eastus',
        tags: tags('natGateway'),
        sku: { name: 'Standard' },
        properties: { idleTimeoutInMinutes: 4, publicIpAddresses: [{ id: natIpId }] },
      },
    });
  });

  it('plans a zone-redundant Standard public IP for the API server', () => {
    expect(byName(p, 'demo-api-pip').body).toEqual({
      location: 'eastus',
      tags: tags('apiServerPublicIp'),
      sku: { name: 'Standard', tier: 'Regional' },
      zones: ['1', '2', '3'],
      properties: {
        publicIPAllocationMethod: 'Static',
        publicIPAddressVersion: 'IPv4',
        idleTimeoutInMinutes: 4,
        // <cluster>-<8 hex of subscription/resource group/cluster>: the control-plane endpoint's DNS name
        dnsSettings: { domainNameLabel: expect.stringMatching(/^demo-[0-9a-f]{8}$/) as string },
      },
    });
    const westus = plan(setPath(iaasInput(), 'location', 'westus'));
    expect(byName(westus, 'demo-api-pip').body.zones).toBeUndefined();
  });

  it('plans the API load balancer: frontend, backend pool, HTTPS /readyz probe, rule 6443 without outbound SNAT', () => {
    expect(byName(p, 'demo-api-lb')).toEqual({
      id: lbId,
      type: 'Microsoft.Network/loadBalancers',
      name: 'demo-api-lb',
      role: 'apiServerLoadBalancer',
      dependsOn: [apiIpId],
      owned: true,
      body: {
        location: 'eastus',
        tags: tags('apiServerLoadBalancer'),
        sku: { name: 'Standard', tier: 'Regional' },
        properties: {
          frontendIPConfigurations: [
            { name: 'apiserver-frontend', properties: { publicIPAddress: { id: apiIpId } } },
          ],
          backendAddressPools: [{ name: 'control-plane' }],
          probes: [
            {
              name: 'apiserver-readyz',
              properties: {
                protocol: 'Https',
                port: 6443,
                requestPath: '/readyz',
                intervalInSeconds: 15,
                numberOfProbes: 4,
                probeThreshold: 1,
              },
            },
          ],
          loadBalancingRules: [
            {
              name: 'apiserver',
              properties: {
                protocol: 'Tcp',
                frontendPort: 6443,
                backendPort: 6443,
                frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/apiserver-frontend` },
                backendAddressPool: { id: `${lbId}/backendAddressPools/control-plane` },
                probe: { id: `${lbId}/probes/apiserver-readyz` },
                loadDistribution: 'Default',
                idleTimeoutInMinutes: 4,
                enableFloatingIP: false,
                enableTcpReset: true,
                disableOutboundSnat: true,
              },
            },
          ],
        },
      },
    });
  });

  it('puts control-plane NICs in the backend pool and no NIC behind a public IP', () => {
    expect(byName(p, 'demo-cp-1-nic')).toEqual({
      id: `${rg}/Microsoft.Network/networkInterfaces/demo-cp-1-nic`,
      type: 'Microsoft.Network/networkInterfaces',
      name: 'demo-cp-1-nic',
      role: 'controlPlaneNic',
      zone: '2',
      node: 'demo-cp-1',
      pool: 'controlPlane',
      dependsOn: [cpSubnetId, lbId, ilbId],
      owned: true,
      body: {
        location: 'eastus',
        tags: tags('controlPlaneNic', {
          'clusterProvisioner.pool': 'controlPlane',
          'clusterProvisioner.node': 'demo-cp-1',
        }),
        properties: {
          ipConfigurations: [
            {
              name: 'ipconfig1',
              properties: {
                primary: true,
                privateIPAllocationMethod: 'Dynamic',
                privateIPAddressVersion: 'IPv4',
                subnet: { id: cpSubnetId },
                loadBalancerBackendAddressPools: [
                  { id: `${lbId}/backendAddressPools/control-plane` },
                  { id: `${ilbId}/backendAddressPools/control-plane` },
                ],
              },
            },
          ],
        },
      },
    });
    const workerNic = byName(p, 'demo-pool1-0-nic');
    expect(workerNic.dependsOn).toEqual([workerSubnetId]);
    expect(JSON.stringify(workerNic.body)).not.toContain('loadBalancerBackendAddressPools');
    for (const r of p.resources.filter(
      (x) => x.type.endsWith('networkInterfaces') || x.type.endsWith('virtualMachines'),
    )) {
      expect(JSON.stringify(r.body)).not.toMatch(/publicIPAddress/i);
    }
  });

  it('plans each VM in its zone with SSH keys only and a managed OS disk', () => {
    const workerIdentityId = `${rg}/Microsoft.ManagedIdentity/userAssignedIdentities/demo-workers-id`;
    const workerJoinTokenRead = p.resources.find(
      (r) => r.role === 'vaultRoleAssignment' && r.dependsOn.includes(workerIdentityId),
    )!;
    expect(byName(p, 'demo-pool1-2')).toEqual({
      id: `${rg}/Microsoft.Compute/virtualMachines/demo-pool1-2`,
      type: 'Microsoft.Compute/virtualMachines',
      name: 'demo-pool1-2',
      role: 'workerVm',
      zone: '3',
      node: 'demo-pool1-2',
      pool: 'pool1',
      dependsOn: [
        `${rg}/Microsoft.Network/networkInterfaces/demo-pool1-2-nic`,
        workerIdentityId,
        workerJoinTokenRead.id,
      ],
      owned: true,
      body: {
        location: 'eastus',
        identity: { type: 'UserAssigned', userAssignedIdentities: { [workerIdentityId]: {} } },
        tags: tags('workerVm', {
          'clusterProvisioner.pool': 'pool1',
          'clusterProvisioner.node': 'demo-pool1-2',
          'clusterProvisioner.kubernetesVersion': '1.33.2',
        }),
        zones: ['3'],
        properties: {
          hardwareProfile: { vmSize: 'Standard_D4s_v5' },
          storageProfile: {
            imageReference: {
              publisher: 'Canonical',
              offer: 'ubuntu-24_04-lts',
              sku: 'server',
              version: 'latest',
            },
            osDisk: {
              name: 'demo-pool1-2-osdisk',
              osType: 'Linux',
              createOption: 'FromImage',
              caching: 'ReadWrite',
              diskSizeGB: 128,
              managedDisk: { storageAccountType: 'StandardSSD_LRS' },
              deleteOption: 'Delete',
            },
          },
          osProfile: {
            computerName: 'demo-pool1-2',
            adminUsername: 'azureuser',
            linuxConfiguration: {
              disablePasswordAuthentication: true,
              provisionVMAgent: true,
              ssh: { publicKeys: [{ path: '/home/azureuser/.ssh/authorized_keys', keyData: ED25519_KEY }] },
            },
            customData: expect.any(String) as string,
          },
          networkProfile: {
            networkInterfaces: [
              {
                id: `${rg}/Microsoft.Network/networkInterfaces/demo-pool1-2-nic`,
                properties: { primary: true },
              },
            ],
          },
          diagnosticsProfile: { bootDiagnostics: { enabled: true } },
        },
      },
    });
  });

  it('boots every VM into the cluster: custom data of its role (kubeadm init on cp-0 only)', () => {
    const roles = p.resources
      .filter((r) => r.type === 'Microsoft.Compute/virtualMachines')
      .map((vm) => [vm.name, /^\s*ROLE='(\w+)'$/m.exec(customDataOf(vm))?.[1]]);
    expect(roles).toEqual([
      ['demo-cp-0', 'initControlPlane'],
      ['demo-cp-1', 'joinControlPlane'],
      ['demo-cp-2', 'joinControlPlane'],
      ['demo-pool1-0', 'worker'],
      ['demo-pool1-1', 'worker'],
      ['demo-pool1-2', 'worker'],
    ]);
    for (const vm of p.resources.filter((r) => r.type === 'Microsoft.Compute/virtualMachines')) {
      expect(customDataOf(vm).startsWith('#cloud-config\n')).toBe(true);
    }
  });

  it('a replacement cp-0 in a running cluster joins it instead of initialising a second cluster', () => {
    const spec = specOf(iaasInput());
    const replanned = planCluster(spec, {
      subscriptionId: SUBSCRIPTION_ID,
      existingNodes: {
        controlPlane: [
          { name: 'demo-cp-1', zone: '2' },
          { name: 'demo-cp-2', zone: '3' },
        ],
      },
    });
    expect(customDataOf(byName(replanned, 'demo-cp-0'))).toMatch(/^\s*ROLE='joinControlPlane'$/m);
  });

  it('plans the internal API load balancer: a static frontend in the control-plane subnet, the same probe and rule', () => {
    const ilb = byName(p, 'demo-api-ilb');
    expect(ilb.dependsOn).toEqual([cpSubnetId]);
    expect(ilb.body).toMatchObject({
      sku: { name: 'Standard', tier: 'Regional' },
      properties: {
        frontendIPConfigurations: [
          {
            name: 'apiserver-internal',
            zones: ['1', '2', '3'],
            properties: {
              privateIPAllocationMethod: 'Static',
              privateIPAddress: '10.0.0.254',
              subnet: { id: cpSubnetId },
            },
          },
        ],
        probes: [{ properties: { protocol: 'Https', port: 6443, requestPath: '/readyz' } }],
        loadBalancingRules: [{ properties: { frontendPort: 6443, backendPort: 6443 } }],
      },
    });
    expect(JSON.stringify(ilb.body)).not.toContain('publicIPAddress');
    expect(JSON.stringify(ilb.body)).not.toContain('disableOutboundSnat');
  });

  it('adds the spec’s own cloud-init next to the bootstrap, and the user tags along', () => {
    const withInit = plan(
      setPath(
        setPath(iaasInput(), 'controlPlane.cloudInit', '#cloud-config\nruncmd: [[touch, /x]]\n'),
        'tags',
        {
          env: 'prod',
        },
      ),
    );
    const vm = byName(withInit, 'demo-cp-0');
    expect(customDataOf(vm)).toMatch(/^Content-Type: multipart\/mixed/);
    expect(customDataOf(vm)).toContain('runcmd: [[touch, /x]]');
    expect(vm.body.tags).toMatchObject({ env: 'prod', 'clusterProvisioner.cluster': 'demo' });
    expect(customDataOf(byName(withInit, 'demo-pool1-0'))).toMatch(/^#cloud-config\n/);
  });

  it('plans nodes without zones in a region without zones', () => {
    const westus = plan(setPath(iaasInput(), 'location', 'westus'));
    expect(westus.cluster.zones).toEqual([]);
    const vm = byName(westus, 'demo-cp-0');
    expect(vm.zone).toBeUndefined();
    expect(vm.body.zones).toBeUndefined();
  });

  it('keeps existing node names and zones when a pool grows', () => {
    const spec = specOf(setPath(iaasInput(), 'nodePools[0].count', 4));
    const grown = planCluster(spec, {
      subscriptionId: SUBSCRIPTION_ID,
      existingNodes: { pool1: [{ name: 'demo-pool1-0', zone: '3' }] },
    });
    expect(
      grown.resources.filter((r) => r.role === 'workerVm').map((r) => `${r.name}@${r.zone ?? ''}`),
    ).toEqual(['demo-pool1-0@3', 'demo-pool1-1@1', 'demo-pool1-2@2', 'demo-pool1-3@1']);
  });

  it('refuses a subscription id that is not a GUID', () => {
    expect(() => planCluster(specOf(iaasInput()), { subscriptionId: 'my-sub' })).toThrow(PlanError);
  });
});

describe('planCluster: IaaS in a brought VNet', () => {
  const p = plan(setPath(broughtVnetInput(), 'network.vnet.cidr', '10.10.0.0/16'));
  const netRg = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-network/providers/Microsoft.Network`;

  it('plans the brought VNet, subnets and NSGs as not owned, with their expected bodies', () => {
    const broughtOnes = p.resources.filter((r) => !r.owned);
    expect(broughtOnes.map((r) => r.id)).toEqual([
      `${netRg}/virtualNetworks/shared-vnet`,
      `${netRg}/networkSecurityGroups/k8s-cp-nsg`,
      `${netRg}/networkSecurityGroups/k8s-workers-nsg`,
      `${netRg}/virtualNetworks/shared-vnet/subnets/k8s-cp`,
      `${netRg}/virtualNetworks/shared-vnet/subnets/k8s-workers`,
    ]);
    expect(byName(p, 'shared-vnet').body).toEqual({
      location: 'eastus',
      properties: { addressSpace: { addressPrefixes: ['10.10.0.0/16'] } },
    });
    expect(byName(p, 'k8s-workers').body).toEqual({
      properties: {
        addressPrefix: '10.10.4.0/22',
        networkSecurityGroup: { id: `${netRg}/networkSecurityGroups/k8s-workers-nsg` },
      },
    });
    expect(ruleLines(byName(p, 'k8s-workers-nsg').body)[0]).toBe(
      '100 allow-kubelet-control-plane Allow Tcp 10.10.0.0/24 -> 10250 10.10.4.0/22',
    );
  });

  it('plans no NAT gateway (the owner runs outbound) and hangs the NICs on the brought subnets', () => {
    expect(p.resources.some((r) => r.type === 'Microsoft.Network/natGateways')).toBe(false);
    expect(byName(p, 'demo-cp-0-nic').dependsOn).toEqual([
      `${netRg}/virtualNetworks/shared-vnet/subnets/k8s-cp`,
      lbId,
      ilbId,
    ]);
    expect(byName(p, 'demo-pool1-0-nic').dependsOn).toEqual([
      `${netRg}/virtualNetworks/shared-vnet/subnets/k8s-workers`,
    ]);
  });
});
