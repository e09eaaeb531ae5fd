import { errorCode, id, type Kit, LOCATION, rawRequest, RG, startKit } from './armTestKit';

/** What the SDK throws (a RestError): the fields a caller reads. */
type RestError = Error & { code?: string; statusCode?: number };

describe('ARM emulator allocation failures (zone and VM size without capacity)', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await startKit({
      allocationFailures: [{ zone: '2', size: 'Standard_D4s_v5', code: 'ZonalAllocationFailed' }],
    });
    const net = kit.clients.network;
    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet',
      {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [{ name: 'nodes', addressPrefix: '10.0.1.0/24' }],
      },
      kit.lro,
    );
    for (const name of ['nic-a', 'nic-b', 'nic-c', 'nic-d']) {
      await net.networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        name,
        {
          location: LOCATION,
          ipConfigurations: [
            { name: 'ip', subnet: { id: id('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes') } },
          ],
        },
        kit.lro,
      );
    }
  });
  afterEach(async () => {
    await kit.close();
  });

  const vm = (nic: string, zone: string, size = 'Standard_D4s_v5') => ({
    location: LOCATION,
    zones: [zone],
    hardwareProfile: { vmSize: size },
    osProfile: { computerName: 'node', adminUsername: 'azureuser' },
    storageProfile: {
      imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    },
    networkProfile: { networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', nic) }] },
  });

  it('fails the create operation with ZonalAllocationFailed and leaves a Failed, deletable VM', async () => {
    const compute = kit.clients.compute;
    let failure: RestError | undefined;
    try {
      await compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-z2', vm('nic-a', '2'), kit.lro);
    } catch (err) {
      failure = err as RestError;
    }
    expect(failure?.code).toBe('ZonalAllocationFailed');
    expect(failure?.message).toMatch(/sufficient capacity for the requested VM size in this zone/);
    // The PUT itself was accepted (201 + operation): the failure is the operation's.
    const put = kit.emulator.operations().find((o) => o.method === 'PUT' && o.path.endsWith('/node-z2'));
    expect(put?.status).toBe(201);

    const failed = await compute.virtualMachines.get(RG, 'node-z2');
    expect(failed.provisioningState).toBe('Failed');
    // Another zone, or another size in the same zone, allocates.
    const other = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-z1',
      vm('nic-b', '1'),
      kit.lro,
    );
    expect(other.provisioningState).toBe('Succeeded');
    const small = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-z2-small',
      vm('nic-c', '2', 'Standard_D2s_v5'),
      kit.lro,
    );
    expect(small.provisioningState).toBe('Succeeded');

    // The Failed VM deletes, and its NIC is free again.
    await compute.virtualMachines.beginDeleteAndWait(RG, 'node-z2', kit.lro);
    expect(await errorCode(compute.virtualMachines.get(RG, 'node-z2'))).toBe('ResourceNotFound');
    await kit.clients.network.networkInterfaces.beginDeleteAndWait(RG, 'nic-a', kit.lro);
  });

  it('retries allocation on a re-PUT of a Failed VM; rules are added, listed and cleared through the control API', async () => {
    const compute = kit.clients.compute;
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node', vm('nic-a', '2'), kit.lro),
      ),
    ).toBe('ZonalAllocationFailed');
    const listed = await rawRequest(kit, 'GET', '/_emulator/allocation-failures');
    expect((listed.json as { value: unknown[] }).value).toEqual([
      expect.objectContaining({
        rule: { zone: '2', size: 'Standard_D4s_v5', code: 'ZonalAllocationFailed' },
      }),
    ]);
    expect((await rawRequest(kit, 'DELETE', '/_emulator/allocation-failures')).status).toBe(204);
    const retried = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node',
      vm('nic-a', '2'),
      kit.lro,
    );
    expect(retried.provisioningState).toBe('Succeeded');

    // A region-wide failure, once.
    const added = await rawRequest(kit, 'POST', '/_emulator/allocation-failures', {
      size: 'standard_d2s_v5',
      location: 'West Europe',
      code: 'AllocationFailed',
      count: 1,
    });
    expect(added.status).toBe(201);
    const err = await errorCode(
      compute.virtualMachines.beginCreateOrUpdateAndWait(
        RG,
        'node-b',
        vm('nic-b', '3', 'Standard_D2s_v5'),
        kit.lro,
      ),
    );
    expect(err).toBe('AllocationFailed');
    const again = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-b',
      vm('nic-b', '3', 'Standard_D2s_v5'),
      kit.lro,
    );
    expect(again.provisioningState).toBe('Succeeded');

    const bad = await rawRequest(kit, 'POST', '/_emulator/allocation-failures', {
      zone: '1',
      code: 'NoRoom',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/rule\.code/);
  });

  it('refuses the PUT at once with 409 SkuNotAvailable and creates nothing', async () => {
    kit.emulator.allocationFailures.add({ zone: '3', size: 'Standard_E8s_v5', code: 'SkuNotAvailable' });
    const compute = kit.clients.compute;
    let failure: RestError | undefined;
    try {
      await compute.virtualMachines.beginCreateOrUpdateAndWait(
        RG,
        'node-e',
        vm('nic-d', '3', 'Standard_E8s_v5'),
        kit.lro,
      );
    } catch (err) {
      failure = err as RestError;
    }
    expect(failure?.statusCode).toBe(409);
    expect(failure?.code).toBe('SkuNotAvailable');
    expect(failure?.message).toMatch(/is currently not available in location 'westeurope' zones '3'/);
    expect(await errorCode(compute.virtualMachines.get(RG, 'node-e'))).toBe('ResourceNotFound');
    // The NIC was never taken.
    const nic = await kit.clients.network.networkInterfaces.get(RG, 'nic-d');
    expect(nic.virtualMachine).toBeUndefined();
  });
});
