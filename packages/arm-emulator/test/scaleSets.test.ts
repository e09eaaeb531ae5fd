import type { VirtualMachineScaleSet } from '@azure/arm-compute';

import { flexMemberName } from '../src';
import { errorCode, id, type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

const SUBNET = id('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes');
const SET_ID = (name: string) => id('Microsoft.Compute/virtualMachineScaleSets', name);

function flexSet(capacity: number, zone = '1', overrides: Partial<VirtualMachineScaleSet> = {}) {
  return {
    location: LOCATION,
    zones: [zone],
    sku: { name: 'Standard_D2s_v5', capacity },
    orchestrationMode: 'Flexible',
    platformFaultDomainCount: 1,
    virtualMachineProfile: {
      osProfile: {
        computerNamePrefix: 'wrk',
        adminUsername: 'azureuser',
        customData: Buffer.from('#cloud-config\nrole: worker').toString('base64'),
      },
      storageProfile: {
        imageReference: {
          publisher: 'Canonical',
          offer: 'ubuntu-24_04-lts',
          sku: 'server',
          version: 'latest',
        },
      },
      networkProfile: {
        networkApiVersion: '2020-11-01',
        networkInterfaceConfigurations: [
          { name: 'nic', primary: true, ipConfigurations: [{ name: 'ip', subnet: { id: SUBNET } }] },
        ],
      },
    },
    ...overrides,
  } as VirtualMachineScaleSet;
}

async function startWithSubnet(options: Parameters<typeof startKit>[0] = {}): Promise<Kit> {
  const kit = await startKit({ vcpuQuotaPerRegion: 200, ...options });
  await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    'vnet',
    {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      subnets: [{ name: 'nodes', addressPrefix: '10.0.1.0/24' }],
    },
    kit.lro,
  );
  return kit;
}

describe('ARM emulator: Flexible virtual machine scale sets through ComputeManagementClient', () => {
  let kit: Kit;
  afterEach(async () => {
    await kit.close();
  });

  async function members(set: string) {
    const vms = [];
    for await (const vm of kit.clients.compute.virtualMachines.list(RG)) {
      if (vm.virtualMachineScaleSet?.id?.toLowerCase() === SET_ID(set).toLowerCase()) vms.push(vm);
    }
    return vms;
  }

  async function nics() {
    const out = [];
    for await (const nic of kit.clients.network.networkInterfaces.list(RG)) out.push(nic);
    return out;
  }

  it('creates capacity plain VMs, each with its own NIC in the subnet and no public IP', async () => {
    kit = await startWithSubnet();
    const { compute } = kit.clients;
    const set = await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(
      RG,
      'pool-z1',
      flexSet(3),
      kit.lro,
    );
    expect(set.provisioningState).toBe('Succeeded');
    expect(set.sku?.capacity).toBe(3);
    expect(set.orchestrationMode).toBe('Flexible');
    expect(set.uniqueId).toMatch(/^[0-9a-f-]{36}$/);
    expect(set.virtualMachineProfile?.osProfile?.customData).toBeUndefined();

    const vms = await members('pool-z1');
    expect(vms).toHaveLength(3);
    const nicIds = new Set<string>();
    for (const vm of vms) {
      expect(vm.name).toMatch(/^pool-z1_[0-9a-f]{8}$/);
      expect(vm.provisioningState).toBe('Succeeded');
      expect(vm.zones).toEqual(['1']);
      expect(vm.hardwareProfile?.vmSize).toBe('Standard_D2s_v5');
      expect(vm.osProfile?.computerName).toMatch(/^wrk[0-9A-Z]{6}$/);
      expect(vm.networkProfile?.networkInterfaces).toHaveLength(1);
      const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id ?? '';
      nicIds.add(nicId.toLowerCase());
      // One custom data per scale set: every member gets the set's.
      expect(kit.emulator.customData(vm.id ?? '')).toBe('#cloud-config\nrole: worker');
    }
    expect(new Set(vms.map((v) => v.osProfile?.computerName)).size).toBe(3);
    // Names a bench can know in advance (pairing single VMs with members draw for draw).
    expect(vms.map((v) => v.name).sort()).toEqual(
      [0, 1, 2].map((i) => flexMemberName(SET_ID('pool-z1'), i)).sort(),
    );
    expect(nicIds.size).toBe(3);
    const all = await nics();
    expect(all).toHaveLength(3);
    for (const nic of all) {
      expect(nicIds.has((nic.id ?? '').toLowerCase())).toBe(true);
      expect(nic.virtualMachine?.id).toBeDefined();
      const ip = nic.ipConfigurations?.[0];
      expect(ip?.subnet?.id?.toLowerCase()).toBe(SUBNET.toLowerCase());
      expect(ip?.privateIPAddress).toMatch(/^10\.0\.1\.\d+$/);
      expect(ip?.publicIPAddress).toBeUndefined();
    }
    expect(new Set(all.map((n) => n.ipConfigurations?.[0]?.privateIPAddress)).size).toBe(3);
  });

  it('scales out and in through capacity, and removes one node by deleting its VM or by deleteInstances', async () => {
    kit = await startWithSubnet();
    const { compute } = kit.clients;
    await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'pool', flexSet(2), kit.lro);
    const first = (await members('pool')).map((v) => v.name);

    await compute.virtualMachineScaleSets.beginUpdateAndWait(RG, 'pool', { sku: { capacity: 5 } }, kit.lro);
    const grown = await members('pool');
    expect(grown).toHaveLength(5);
    // Scaling out keeps the nodes that were there.
    expect(grown.map((v) => v.name)).toEqual(expect.arrayContaining(first));
    expect(await nics()).toHaveLength(5);

    // Per-node scale-in: delete one chosen VM; its NIC goes with it and the capacity drops by one.
    const victim = grown[1]!;
    await compute.virtualMachines.beginDeleteAndWait(RG, victim.name ?? '', kit.lro);
    expect((await compute.virtualMachineScaleSets.get(RG, 'pool')).sku?.capacity).toBe(4);
    const afterOne = await members('pool');
    expect(afterOne.map((v) => v.name)).not.toContain(victim.name);
    expect(await nics()).toHaveLength(4);

    // …or name the nodes to remove on the set.
    const chosen = [afterOne[0]!.name ?? '', afterOne[2]!.name ?? ''];
    await compute.virtualMachineScaleSets.beginDeleteInstancesAndWait(
      RG,
      'pool',
      { instanceIds: chosen },
      { ...kit.lro, forceDeletion: true },
    );
    const afterTwo = await members('pool');
    expect(afterTwo).toHaveLength(2);
    expect(afterTwo.map((v) => v.name)).not.toEqual(expect.arrayContaining([chosen[0]]));
    expect(afterTwo.map((v) => v.name)).not.toEqual(expect.arrayContaining([chosen[1]]));
    expect((await compute.virtualMachineScaleSets.get(RG, 'pool')).sku?.capacity).toBe(2);
    expect(
      await errorCode(
        compute.virtualMachineScaleSets.beginDeleteInstancesAndWait(
          RG,
          'pool',
          { instanceIds: ['pool_00000000'] },
          kit.lro,
        ),
      ),
    ).toBe('InvalidParameter');

    // Lowering the capacity removes members (newest first) and their NICs.
    await compute.virtualMachineScaleSets.beginUpdateAndWait(RG, 'pool', { sku: { capacity: 1 } }, kit.lro);
    expect(await members('pool')).toHaveLength(1);
    expect(await nics()).toHaveLength(1);

    // Deleting the set deletes its members.
    await compute.virtualMachineScaleSets.beginDeleteAndWait(RG, 'pool', kit.lro);
    expect(await members('pool')).toHaveLength(0);
    expect(await nics()).toHaveLength(0);
  });

  it('balances members over the zones of a multi-zone set', async () => {
    kit = await startWithSubnet();
    await kit.clients.compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(
      RG,
      'spread',
      { ...flexSet(7), zones: ['1', '2', '3'] },
      kit.lro,
    );
    const counts = new Map<string, number>();
    for (const vm of await members('spread')) {
      const zone = vm.zones?.[0] ?? '';
      counts.set(zone, (counts.get(zone) ?? 0) + 1);
    }
    expect([...counts.values()].sort()).toEqual([2, 2, 3]);
  });

  it('refuses what Azure refuses, naming the field, and changes nothing', async () => {
    kit = await startWithSubnet();
    const { compute } = kit.clients;
    const create = (name: string, body: VirtualMachineScaleSet) =>
      errorCode(compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, name, body, kit.lro));
    expect(await create('u', flexSet(1, '1', { orchestrationMode: 'Uniform' }))).toBe('InvalidParameter');
    expect(await create('f', flexSet(1, '1', { platformFaultDomainCount: undefined }))).toBe(
      'InvalidParameter',
    );
    expect(await create('c', flexSet(1001))).toBe('InvalidParameter');
    expect(await create('z', flexSet(1, '9'))).toBe('AvailabilityZoneNotSupported');
    const noApiVersion = flexSet(1);
    delete noApiVersion.virtualMachineProfile?.networkProfile?.networkApiVersion;
    expect(await create('n', noApiVersion)).toBe('InvalidParameter');
    const withPublicIp = flexSet(1);
    const ipConfig =
      withPublicIp.virtualMachineProfile?.networkProfile?.networkInterfaceConfigurations?.[0]
        ?.ipConfigurations?.[0];
    if (ipConfig) ipConfig.publicIPAddressConfiguration = { name: 'pip' };
    expect(await create('p', withPublicIp)).toBe('InvalidParameter');
    expect(await create('q', flexSet(150))).toBe('QuotaExceeded'); // 150 × 2 vCPUs > 200
    let count = 0;
    for await (const s of compute.virtualMachineScaleSets.list(RG)) if (s) count++;
    expect(count).toBe(0);
    expect(await members('q')).toHaveLength(0);
    expect(await nics()).toHaveLength(0);

    await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'ok', flexSet(1), kit.lro);
    expect(await create('ok', flexSet(1, '2'))).toBe('PropertyChangeNotAllowed');
  });

  it('fails the set when a member cannot be allocated; the member stays Failed and the others run', async () => {
    kit = await startWithSubnet({
      allocationFailures: [{ zone: '2', size: 'Standard_D2s_v5', code: 'ZonalAllocationFailed', count: 1 }],
    });
    const { compute } = kit.clients;
    expect(
      await errorCode(
        compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'z2', flexSet(3, '2'), kit.lro),
      ),
    ).toBe('ZonalAllocationFailed');
    expect((await compute.virtualMachineScaleSets.get(RG, 'z2')).provisioningState).toBe('Failed');
    const states = (await members('z2')).map((v) => v.provisioningState).sort();
    expect(states).toEqual(['Failed', 'Succeeded', 'Succeeded']);

    const sku = await errorCode(
      (async () => {
        kit.emulator.allocationFailures.add({ zone: '3', code: 'SkuNotAvailable' });
        await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'z3', flexSet(2, '3'), kit.lro);
      })(),
    );
    expect(sku).toBe('SkuNotAvailable');
    expect(await members('z3')).toHaveLength(0);
  });

  it("ends the set's operation when its slowest member ends, each member with its own draw", async () => {
    kit = await startWithSubnet({ timeScale: 0.002, latencyModel: 'heavy-tail', seed: 7 });
    const { compute } = kit.clients;
    const poller = await compute.virtualMachineScaleSets.beginCreateOrUpdate(RG, 'slow', flexSet(6), kit.lro);
    // While any member is still being created, the set reports Creating.
    expect((await compute.virtualMachineScaleSets.get(RG, 'slow')).provisioningState).toBe('Creating');
    await poller.pollUntilDone();
    const vms = await members('slow');
    expect(vms.map((v) => v.provisioningState)).toEqual(Array(6).fill('Succeeded'));
    const draws = kit.emulator
      .latencies()
      .filter((d) => d.type === 'Microsoft.Compute/virtualMachines' && d.kind === 'write');
    expect(draws).toHaveLength(6);
    // Heavy-tailed, per member: not one latency for all.
    expect(new Set(draws.map((d) => d.baseMs)).size).toBe(6);
  });

  it("counts scale set requests against Compute's scale set policies, not the VMs' own", async () => {
    kit = await startWithSubnet({
      timeScale: 0.001,
      computeThrottle: {
        PutVM: [{ name: 'PutVM', scope: 'subscription', burst: 1, perMinute: 0.001 }],
        PutVMScaleSet: [{ name: 'PutVMScaleSet', scope: 'subscription', burst: 1, perMinute: 0.001 }],
      },
    });
    const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets`;
    const wire = (capacity: number) => ({
      location: LOCATION,
      zones: ['1'],
      sku: { name: 'Standard_D2s_v5', capacity },
      properties: {
        orchestrationMode: 'Flexible',
        platformFaultDomainCount: 1,
        virtualMachineProfile: {
          osProfile: { computerNamePrefix: 'w', adminUsername: 'azureuser' },
          networkProfile: {
            networkApiVersion: '2020-11-01',
            networkInterfaceConfigurations: [
              {
                name: 'nic',
                properties: { ipConfigurations: [{ name: 'ip', properties: { subnet: { id: SUBNET } } }] },
              },
            ],
          },
        },
      },
    });
    const first = await rawRequest(kit, 'PUT', `${path}/a?api-version=2024-07-01`, wire(4));
    expect(first.status).toBe(201);
    expect(String(first.headers['x-ms-ratelimit-remaining-resource'])).toBe(
      'Microsoft.Compute/PutVMScaleSet;0',
    );
    const second = await rawRequest(kit, 'PUT', `${path}/b?api-version=2024-07-01`, wire(1));
    expect(second.status).toBe(429);
    expect(second.json).toMatchObject({
      error: { code: 'OperationNotAllowed', details: [{ code: 'TooManyRequests', target: 'PutVMScaleSet' }] },
    });
    // The four members the set created took no PutVM token: a VM of our own still gets the one there is.
    await kit.clients.network.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      'own-nic',
      { location: LOCATION, ipConfigurations: [{ name: 'ip', subnet: { id: SUBNET } }] },
      kit.lro,
    );
    const vm = await rawRequest(
      kit,
      'PUT',
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/own?api-version=2024-07-01`,
      {
        location: LOCATION,
        properties: {
          hardwareProfile: { vmSize: 'Standard_D2s_v5' },
          networkProfile: {
            networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', 'own-nic') }],
          },
        },
      },
    );
    expect(vm.status).toBe(201);
    // An update of an existing set is UpdateVMScaleSet, which is not limited here.
    const update = await rawRequest(kit, 'PATCH', `${path}/a?api-version=2024-07-01`, {
      sku: { capacity: 4 },
    });
    expect([200, 409]).toContain(update.status);
  });

  it('counts reads of one set and lists of sets against their own scale set policies', async () => {
    const one = { name: 'LowCostGetVMScaleSet', scope: 'resource' as const, burst: 1, perMinute: 0.001 };
    const all = { name: 'HighCostGetVMScaleSet', scope: 'subscription' as const, burst: 1, perMinute: 0.001 };
    kit = await startWithSubnet({
      timeScale: 0.001,
      computeThrottle: { LowCostGetVMScaleSet: [one], HighCostGetVMScaleSet: [all] },
    });
    const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets`;
    const empty = {
      location: LOCATION,
      sku: { name: 'Standard_D2s_v5', capacity: 0 },
      properties: { orchestrationMode: 'Flexible', platformFaultDomainCount: 1 },
    };
    expect((await rawRequest(kit, 'PUT', `${path}/a?api-version=2024-07-01`, empty)).status).toBe(201);
    expect((await rawRequest(kit, 'PUT', `${path}/b?api-version=2024-07-01`, empty)).status).toBe(201);
    const target = async (method: string, url: string) => {
      const r = await rawRequest(kit, method, url);
      return r.status === 429
        ? (r.json as { error: { details: { target: string }[] } }).error.details[0]?.target
        : r.status;
    };
    expect(await target('GET', `${path}/a?api-version=2024-07-01`)).toBe(200);
    expect(await target('GET', `${path}/a?api-version=2024-07-01`)).toBe('LowCostGetVMScaleSet');
    expect(await target('GET', `${path}/b?api-version=2024-07-01`)).toBe(200); // its own bucket
    expect(await target('GET', `${path}?api-version=2024-07-01`)).toBe(200);
    expect(await target('GET', `${path}?api-version=2024-07-01`)).toBe('HighCostGetVMScaleSet');
    // VM reads are another policy.
    expect(
      await target(
        'GET',
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01`,
      ),
    ).toBe(200);
  });
});
