import { errorCode, type Kit, LOCATION, RG, startKit, SUBSCRIPTION } from './armTestKit';

describe('ARM emulator: resource groups through ResourceManagementClient', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await startKit();
  });
  afterEach(async () => {
    await kit.close();
  });

  it('creates, reads, lists, checks, updates and deletes resource groups (cascading to their resources)', async () => {
    const rgs = kit.clients.resources.resourceGroups;
    const created = await rgs.createOrUpdate('rg-2', { location: 'northeurope', tags: { env: 'test' } });
    expect(created).toMatchObject({
      name: 'rg-2',
      location: 'northeurope',
      properties: { provisioningState: 'Succeeded' },
    });
    expect(created.id).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-2`);
    expect((await rgs.get('RG-2')).tags).toEqual({ env: 'test' });
    expect((await rgs.checkExistence('rg-2')).body).toBe(true);
    expect((await rgs.checkExistence('rg-none')).body).toBe(false);
    const updated = await rgs.update('rg-2', { tags: { env: 'prod' } });
    expect(updated.tags).toEqual({ env: 'prod' });
    const names = [];
    for await (const g of rgs.list()) names.push(g.name);
    expect(names.sort()).toEqual(['rg-2', RG]);
    expect(await errorCode(rgs.createOrUpdate('rg-3', { location: 'atlantis' }))).toBe(
      'LocationNotAvailableForResourceGroup',
    );

    await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
      'rg-2',
      'v',
      { location: 'northeurope', addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
      kit.lro,
    );
    const generic = [];
    for await (const r of kit.clients.resources.resources.listByResourceGroup('rg-2')) generic.push(r.type);
    expect(generic).toEqual(['Microsoft.Network/virtualNetworks']);

    await rgs.beginDeleteAndWait('rg-2', kit.lro);
    expect(await errorCode(rgs.get('rg-2'))).toBe('ResourceGroupNotFound');
    expect(await errorCode(kit.clients.network.virtualNetworks.get('rg-2', 'v'))).toBe(
      'ResourceGroupNotFound',
    );
    expect(kit.emulator.resources()).toHaveLength(1);
    expect(LOCATION).toBe('westeurope');
  });
});
