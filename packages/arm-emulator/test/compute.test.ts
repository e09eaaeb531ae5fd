import { request } from 'node:https';

import { errorCode, id, type Kit, LOCATION, RG, startKit } from './armTestKit';

function controlGet(kit: Kit, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${kit.emulator.url}/_emulator/${path}`, { ca: kit.emulator.caCertPem }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ARM emulator: virtual machines through ComputeManagementClient', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await startKit({ vcpuQuotaPerRegion: 10 });
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
    for (const name of ['nic-a', 'nic-b', 'nic-c']) {
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

  const vm = (nic: string, size = 'Standard_D4s_v5', zones = ['1']) => ({
    location: LOCATION,
    zones,
    hardwareProfile: { vmSize: size },
    osProfile: { computerName: 'node', adminUsername: 'azureuser', customData: 'I2Nsb3VkLWNvbmZpZw==' },
    storageProfile: {
      imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    },
    networkProfile: {
      networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', nic), primary: true }],
    },
  });

  it('creates (Location LRO), reads, resizes, lists and deletes a VM; the NIC follows it', async () => {
    const compute = kit.clients.compute;
    const created = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-0',
      vm('nic-a'),
      kit.lro,
    );
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.vmId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.zones).toEqual(['1']);
    expect(created.hardwareProfile?.vmSize).toBe('Standard_D4s_v5');
    // ARM never returns secrets or custom data; tests see it under /_emulator/ only.
    expect(created.osProfile?.customData).toBeUndefined();
    expect((await compute.virtualMachines.get(RG, 'node-0')).osProfile?.customData).toBeUndefined();
    expect(kit.emulator.customData(created.id ?? '')).toBe('#cloud-config');
    expect(await controlGet(kit, `custom-data${created.id ?? ''}`)).toEqual({
      status: 200,
      body: { customData: '#cloud-config' },
    });
    expect(JSON.stringify(kit.emulator.resources())).not.toContain('I2Nsb3VkLWNvbmZpZw==');
    const put = kit.emulator.operations().find((o) => o.method === 'PUT' && o.path.endsWith('/node-0'));
    expect(put?.status).toBe(201);
    expect(kit.emulator.operations().some((o) => /\/operationResults\//i.test(o.path))).toBe(true);

    const nic = await kit.clients.network.networkInterfaces.get(RG, 'nic-a');
    expect(nic.virtualMachine?.id).toBe(created.id);

    const resized = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-0',
      vm('nic-a', 'Standard_D2s_v5'),
      kit.lro,
    );
    expect(resized.hardwareProfile?.vmSize).toBe('Standard_D2s_v5');
    expect(resized.vmId).toBe(created.vmId);
    const patched = await compute.virtualMachines.beginUpdateAndWait(
      RG,
      'node-0',
      { tags: { role: 'worker' } },
      kit.lro,
    );
    expect(patched.tags).toEqual({ role: 'worker' });
    expect(patched.hardwareProfile?.vmSize).toBe('Standard_D2s_v5');

    const names = [];
    for await (const v of compute.virtualMachines.list(RG)) names.push(v.name);
    for await (const v of compute.virtualMachines.listAll()) names.push(v.name);
    expect(names).toEqual(['node-0', 'node-0']);

    expect(
      await errorCode(kit.clients.network.networkInterfaces.beginDeleteAndWait(RG, 'nic-a', kit.lro)),
    ).toBe('InUseNetworkInterfaceCannotBeDeleted');
    await compute.virtualMachines.beginDeleteAndWait(RG, 'node-0', kit.lro);
    expect((await controlGet(kit, `custom-data${created.id ?? ''}`)).status).toBe(404);
    expect(await errorCode(compute.virtualMachines.get(RG, 'node-0'))).toBe('ResourceNotFound');
    expect((await kit.clients.network.networkInterfaces.get(RG, 'nic-a')).virtualMachine).toBeUndefined();
    await kit.clients.network.networkInterfaces.beginDeleteAndWait(RG, 'nic-a', kit.lro);
  });

  it('enforces one VM per NIC, existing NICs, zones, sizes and the regional vCPU quota', async () => {
    const compute = kit.clients.compute;
    await compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-0', vm('nic-a'), kit.lro);
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(
          RG,
          'node-1',
          vm('nic-a', 'Standard_B2s'),
          kit.lro,
        ),
      ),
    ).toBe('NicInUse');
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-1', vm('nic-zz'), kit.lro),
      ),
    ).toBe('InvalidResourceReference');
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(
          RG,
          'node-1',
          vm('nic-b', 'Standard_B2s', ['7']),
          kit.lro,
        ),
      ),
    ).toBe('AvailabilityZoneNotSupported');
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-1', vm('nic-b', 'Huge'), kit.lro),
      ),
    ).toBe('InvalidParameter');
    // 4 used + 8 requested > 10.
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(
          RG,
          'node-1',
          vm('nic-b', 'Standard_D8s_v5'),
          kit.lro,
        ),
      ),
    ).toBe('QuotaExceeded');
    await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-1',
      vm('nic-b', 'Standard_D4s_v5'),
      kit.lro,
    );
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(
          RG,
          'node-2',
          vm('nic-c', 'Standard_D4s_v5'),
          kit.lro,
        ),
      ),
    ).toBe('QuotaExceeded');
    // Quota is per region.
    expect(
      await errorCode(
        compute.virtualMachines.beginCreateOrUpdateAndWait(
          RG,
          'node-2',
          { ...vm('nic-c', 'Standard_D4s_v5'), location: 'northeurope' },
          kit.lro,
        ),
      ),
    ).toBe('InvalidResourceReference');
  });

  it('refuses, like Compute, to change what a VM fixed at creation; a resize is still fine', async () => {
    const compute = kit.clients.compute;
    const key = (data: string) => ({ path: '/home/azureuser/.ssh/authorized_keys', keyData: data });
    const full = (
      changes: { zones?: string[]; user?: string; keyData?: string; disk?: string; size?: string } = {},
    ) => ({
      ...vm('nic-a', changes.size ?? 'Standard_D4s_v5', changes.zones ?? ['1']),
      osProfile: {
        computerName: 'node',
        adminUsername: changes.user ?? 'azureuser',
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [key(changes.keyData ?? 'ssh-ed25519 AAAAold')] },
        },
      },
      storageProfile: {
        ...vm('nic-a').storageProfile,
        osDisk: { name: changes.disk ?? 'node-0-osdisk', createOption: 'FromImage', diskSizeGB: 64 },
      },
    });
    await compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-0', full(), kit.lro);

    const refusal = async (body: ReturnType<typeof full>) => {
      try {
        await compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-0', body, kit.lro);
      } catch (err) {
        const e = err as { code?: string; statusCode?: number; message: string };
        return { code: e.code, statusCode: e.statusCode, message: e.message };
      }
      return undefined;
    };
    for (const [body, property] of [
      [full({ keyData: 'ssh-ed25519 AAAAnew' }), 'linuxConfiguration.ssh.publicKeys'],
      [full({ user: 'someoneelse' }), 'adminUsername'],
      [full({ zones: ['2'] }), 'zones'],
      [full({ disk: 'other-osdisk' }), 'osDisk.name'],
    ] as const) {
      expect(await refusal(body)).toEqual({
        code: 'PropertyChangeNotAllowed',
        statusCode: 409,
        message: `Changing property '${property}' is not allowed.`,
      });
    }
    // Nothing was written by the refused PUTs.
    const kept = await compute.virtualMachines.get(RG, 'node-0');
    expect(kept.osProfile?.linuxConfiguration?.ssh?.publicKeys).toEqual([key('ssh-ed25519 AAAAold')]);
    expect(kept.zones).toEqual(['1']);

    // A resize that sends the VM's own creation settings back is accepted, and so is one that leaves
    // them out (they keep their values).
    const resized = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-0',
      full({ size: 'Standard_D2s_v5' }),
      kit.lro,
    );
    expect(resized.hardwareProfile?.vmSize).toBe('Standard_D2s_v5');
    const {
      osProfile: _os,
      storageProfile: _disk,
      zones: _zones,
      ...bare
    } = full({ size: 'Standard_D4s_v5' });
    const again = await compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node-0', bare, kit.lro);
    expect(again.hardwareProfile?.vmSize).toBe('Standard_D4s_v5');
    expect(again.zones).toEqual(['1']);
    expect(again.osProfile?.adminUsername).toBe('azureuser');
    expect(again.storageProfile?.osDisk?.name).toBe('node-0-osdisk');
  });
});
