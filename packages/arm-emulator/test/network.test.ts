import { errorCode, id, type Kit, LOCATION, rawRequest, RG, startKit } from './armTestKit';

describe('ARM emulator: Microsoft.Network through NetworkManagementClient', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await startKit();
  });
  afterEach(async () => {
    await kit.close();
  });

  const vnetBody = (subnets?: { name: string; addressPrefix: string }[]) => ({
    location: LOCATION,
    addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
    ...(subnets ? { subnets } : {}),
  });

  it('creates, reads, updates, lists and deletes a virtual network with its subnets', async () => {
    const net = kit.clients.network;
    const created = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet1',
      vnetBody([
        { name: 'cp', addressPrefix: '10.0.1.0/24' },
        { name: 'workers', addressPrefix: '10.0.2.0/24' },
      ]),
      kit.lro,
    );
    expect(created.id).toBe(id('Microsoft.Network/virtualNetworks', 'vnet1'));
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.resourceGuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.etag).toMatch(/^W\/"/);
    expect(created.subnets?.map((s) => [s.name, s.addressPrefix, s.id])).toEqual([
      ['cp', '10.0.1.0/24', `${created.id}/subnets/cp`],
      ['workers', '10.0.2.0/24', `${created.id}/subnets/workers`],
    ]);

    // A PUT without subnets keeps them; one with subnets replaces them.
    const kept = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet1',
      { ...vnetBody(), tags: { a: 'b' } },
      kit.lro,
    );
    expect(kept.subnets?.map((s) => s.name)).toEqual(['cp', 'workers']);
    expect(kept.tags).toEqual({ a: 'b' });
    const replaced = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet1',
      vnetBody([{ name: 'workers', addressPrefix: '10.0.2.0/24' }]),
      kit.lro,
    );
    expect(replaced.subnets?.map((s) => s.name)).toEqual(['workers']);

    // Subnets as child resources, visible in the VNet too.
    const subnet = await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      'vnet1',
      'extra',
      { addressPrefix: '10.0.9.0/24' },
      kit.lro,
    );
    expect(subnet.provisioningState).toBe('Succeeded');
    expect((await net.subnets.get(RG, 'vnet1', 'EXTRA')).addressPrefix).toBe('10.0.9.0/24');
    const subnets = [];
    for await (const s of net.subnets.list(RG, 'vnet1')) subnets.push(s.name);
    expect(subnets).toEqual(['workers', 'extra']);
    expect((await net.virtualNetworks.get(RG, 'VNET1')).subnets?.map((s) => s.name)).toEqual([
      'workers',
      'extra',
    ]);
    await net.subnets.beginDeleteAndWait(RG, 'vnet1', 'extra', kit.lro);
    expect(await errorCode(net.subnets.get(RG, 'vnet1', 'extra'))).toBe('ResourceNotFound');

    const inRg = [];
    for await (const v of net.virtualNetworks.list(RG)) inRg.push(v.name);
    const all = [];
    for await (const v of net.virtualNetworks.listAll()) all.push(v.name);
    expect(inRg).toEqual(['vnet1']);
    expect(all).toEqual(['vnet1']);

    await net.virtualNetworks.beginDeleteAndWait(RG, 'vnet1', kit.lro);
    expect(await errorCode(net.virtualNetworks.get(RG, 'vnet1'))).toBe('ResourceNotFound');
    expect(await errorCode(net.virtualNetworks.get('no-such-rg', 'vnet1'))).toBe('ResourceGroupNotFound');
    // Deleting what is already gone succeeds (204).
    await net.virtualNetworks.beginDeleteAndWait(RG, 'vnet1', kit.lro);
  });

  it('every network type: create (201), update (200), tag (PATCH), get, list by group and subscription, delete', async () => {
    const net = kit.clients.network;
    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'v',
      vnetBody([{ name: 's', addressPrefix: '10.0.0.0/24' }]),
      kit.lro,
    );
    const subnetId = id('Microsoft.Network/virtualNetworks/subnets', 'v', 's');
    const cases = [
      { ops: net.networkSecurityGroups, name: 'nsg', body: { location: LOCATION, securityRules: [] } },
      {
        ops: net.publicIPAddresses,
        name: 'pip',
        body: { location: LOCATION, sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static' },
      },
      { ops: net.natGateways, name: 'nat', body: { location: LOCATION, sku: { name: 'Standard' } } },
      {
        ops: net.loadBalancers,
        name: 'ilb',
        body: {
          location: LOCATION,
          sku: { name: 'Standard' },
          frontendIPConfigurations: [{ name: 'fe', subnet: { id: subnetId } }],
        },
      },
      {
        ops: net.networkInterfaces,
        name: 'nic',
        body: { location: LOCATION, ipConfigurations: [{ name: 'ip', subnet: { id: subnetId } }] },
      },
    ] as const;
    for (const c of cases) {
      // The SDK operation groups share this shape; the union is too wide for TypeScript to call directly.
      const ops = c.ops as unknown as {
        beginCreateOrUpdateAndWait(
          rg: string,
          n: string,
          b: object,
          o: object,
        ): Promise<{ tags?: object; provisioningState?: string }>;
        updateTags(rg: string, n: string, b: object): Promise<{ tags?: object }>;
        get(rg: string, n: string): Promise<{ name?: string; tags?: object }>;
        list(rg: string): AsyncIterable<{ name?: string }>;
        listAll(): AsyncIterable<{ name?: string }>;
        beginDeleteAndWait(rg: string, n: string, o: object): Promise<void>;
      };
      await ops.beginCreateOrUpdateAndWait(RG, c.name, c.body, kit.lro);
      const updated = await ops.beginCreateOrUpdateAndWait(
        RG,
        c.name,
        { ...c.body, tags: { v: '2' } },
        kit.lro,
      );
      expect(updated.tags).toEqual({ v: '2' });
      expect(updated.provisioningState).toBe('Succeeded');
      expect((await ops.updateTags(RG, c.name, { tags: { v: '3' } })).tags).toEqual({ v: '3' });
      expect((await ops.get(RG, c.name.toUpperCase())).tags).toEqual({ v: '3' });
      const names: (string | undefined)[] = [];
      for await (const r of ops.list(RG)) names.push(r.name);
      for await (const r of ops.listAll()) names.push(r.name);
      expect(names).toEqual([c.name, c.name]);
      await ops.beginDeleteAndWait(RG, c.name, kit.lro);
      expect(await errorCode(ops.get(RG, c.name))).toBe('ResourceNotFound');
    }
    const writes = kit.emulator
      .operations()
      .filter((o) => o.method === 'PUT' && !o.path.includes('virtualNetworks'));
    expect(writes.map((o) => o.status)).toEqual(cases.flatMap(() => [201, 200]));
  });

  it('echoes the PUT body and fills back-references between subnets, NSGs, NAT gateways and NICs', async () => {
    const net = kit.clients.network;
    const nsg = await net.networkSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      'nsg1',
      {
        location: LOCATION,
        securityRules: [
          {
            name: 'allow-api',
            protocol: 'Tcp',
            sourcePortRange: '*',
            destinationPortRange: '6443',
            sourceAddressPrefix: '*',
            destinationAddressPrefix: '*',
            access: 'Allow',
            priority: 100,
            direction: 'Inbound',
          },
        ],
      },
      kit.lro,
    );
    expect(nsg.securityRules?.[0]).toMatchObject({
      name: 'allow-api',
      destinationPortRange: '6443',
      priority: 100,
    });
    expect(nsg.securityRules?.[0]?.id).toBe(`${nsg.id}/securityRules/allow-api`);
    expect(nsg.defaultSecurityRules?.map((r) => r.name)).toContain('DenyAllInBound');

    const pip = await net.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      'nat-ip',
      { location: LOCATION, sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static', zones: ['1'] },
      kit.lro,
    );
    expect(pip.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const nat = await net.natGateways.beginCreateOrUpdateAndWait(
      RG,
      'nat1',
      { location: LOCATION, sku: { name: 'Standard' }, publicIpAddresses: [{ id: pip.id }] },
      kit.lro,
    );
    expect(nat.provisioningState).toBe('Succeeded');

    await net.virtualNetworks.beginCreateOrUpdateAndWait(RG, 'vnet1', vnetBody(), kit.lro);
    const subnet = await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      'vnet1',
      'workers',
      { addressPrefix: '10.0.2.0/24', networkSecurityGroup: { id: nsg.id }, natGateway: { id: nat.id } },
      kit.lro,
    );
    expect(subnet.networkSecurityGroup?.id).toBe(nsg.id);
    const nic = await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      'nic1',
      {
        location: LOCATION,
        ipConfigurations: [
          { name: 'ipconfig1', subnet: { id: subnet.id }, privateIPAllocationMethod: 'Dynamic' },
        ],
      },
      kit.lro,
    );
    expect(nic.ipConfigurations?.[0]?.privateIPAddress).toBe('10.0.2.4');
    expect(nic.ipConfigurations?.[0]?.id).toBe(`${nic.id}/ipConfigurations/ipconfig1`);

    expect((await net.networkSecurityGroups.get(RG, 'nsg1')).subnets?.map((s) => s.id)).toEqual([subnet.id]);
    expect((await net.natGateways.get(RG, 'nat1')).subnets?.map((s) => s.id)).toEqual([subnet.id]);
    expect((await net.publicIPAddresses.get(RG, 'nat-ip')).natGateway?.id).toBe(nat.id);
    expect((await net.subnets.get(RG, 'vnet1', 'workers')).ipConfigurations?.map((c) => c.id)).toEqual([
      `${nic.id}/ipConfigurations/ipconfig1`,
    ]);

    // In use: nothing referenced can be deleted.
    expect(await errorCode(net.subnets.beginDeleteAndWait(RG, 'vnet1', 'workers', kit.lro))).toBe(
      'InUseSubnetCannotBeDeleted',
    );
    expect(await errorCode(net.virtualNetworks.beginDeleteAndWait(RG, 'vnet1', kit.lro))).toBe(
      'InUseSubnetCannotBeDeleted',
    );
    expect(await errorCode(net.networkSecurityGroups.beginDeleteAndWait(RG, 'nsg1', kit.lro))).toBe(
      'InUseNetworkSecurityGroupCannotBeDeleted',
    );
    expect(await errorCode(net.natGateways.beginDeleteAndWait(RG, 'nat1', kit.lro))).toBe(
      'InUseNatGatewayCannotBeDeleted',
    );
    expect(await errorCode(net.publicIPAddresses.beginDeleteAndWait(RG, 'nat-ip', kit.lro))).toBe(
      'PublicIPAddressCannotBeDeleted',
    );

    // Deleting in reverse order frees the back-references.
    await net.networkInterfaces.beginDeleteAndWait(RG, 'nic1', kit.lro);
    expect((await net.subnets.get(RG, 'vnet1', 'workers')).ipConfigurations).toBeUndefined();
    await net.subnets.beginDeleteAndWait(RG, 'vnet1', 'workers', kit.lro);
    expect((await net.networkSecurityGroups.get(RG, 'nsg1')).subnets).toBeUndefined();
    await net.networkSecurityGroups.beginDeleteAndWait(RG, 'nsg1', kit.lro);
    await net.natGateways.beginDeleteAndWait(RG, 'nat1', kit.lro);
    await net.publicIPAddresses.beginDeleteAndWait(RG, 'nat-ip', kit.lro);
    await net.virtualNetworks.beginDeleteAndWait(RG, 'vnet1', kit.lro);
    // Only the resource group is left.
    expect(kit.emulator.resources()).toHaveLength(1);
  });

  it('keeps the exact wire body (case preserved) and strips read-only fields a client sends back', async () => {
    const res = await rawRequest(
      kit,
      'PUT',
      `${id('Microsoft.Network/networkSecurityGroups', 'n2')}?api-version=2026-01-01`,
      {
        location: 'West Europe',
        tags: { Owner: 'Team-A' },
        properties: { securityRules: [], provisioningState: 'Bogus', subnets: [{ id: '/x' }] },
      },
    );
    expect(res.status).toBe(201);
    expect(res.headers['azure-asyncoperation']).toContain('/operations/');
    expect(res.headers['retry-after']).toBeUndefined();
    const body = res.json as { location: string; tags: object; properties: Record<string, unknown> };
    expect(body.location).toBe('West Europe');
    expect(body.tags).toEqual({ Owner: 'Team-A' });
    expect(body.properties.provisioningState).toBe('Succeeded');
    expect(body.properties.subnets).toBeUndefined();
  });

  it('load balancers: Standard needs Standard public IPs, rules reference their own children, NICs join pools', async () => {
    const net = kit.clients.network;
    const basicIp = await net.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      'basic-ip',
      { location: LOCATION, sku: { name: 'Basic' }, publicIPAllocationMethod: 'Static' },
      kit.lro,
    );
    const apiIp = await net.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      'api-ip',
      {
        location: LOCATION,
        sku: { name: 'Standard' },
        publicIPAllocationMethod: 'Static',
        zones: ['1', '2', '3'],
      },
      kit.lro,
    );
    const lbId = id('Microsoft.Network/loadBalancers', 'api-lb');
    const lbBody = (ipId: string, probeName = 'readyz') => ({
      location: LOCATION,
      sku: { name: 'Standard' },
      frontendIPConfigurations: [{ name: 'fe', publicIPAddress: { id: ipId } }],
      backendAddressPools: [{ name: 'cp' }],
      probes: [
        { name: 'readyz', protocol: 'Https', port: 6443, requestPath: '/readyz', intervalInSeconds: 15 },
      ],
      loadBalancingRules: [
        {
          name: 'api',
          protocol: 'Tcp',
          frontendPort: 6443,
          backendPort: 6443,
          frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
          backendAddressPool: { id: `${lbId}/backendAddressPools/cp` },
          probe: { id: `${lbId}/probes/${probeName}` },
        },
      ],
    });
    expect(
      await errorCode(
        net.loadBalancers.beginCreateOrUpdateAndWait(RG, 'api-lb', lbBody(basicIp.id!), kit.lro),
      ),
    ).toBe('DifferentSkuLoadBalancerAndPublicIPAddressNotAllowed');
    expect(
      await errorCode(
        net.loadBalancers.beginCreateOrUpdateAndWait(RG, 'api-lb', lbBody(apiIp.id!, 'nope'), kit.lro),
      ),
    ).toBe('InvalidResourceReference');
    const lb = await net.loadBalancers.beginCreateOrUpdateAndWait(RG, 'api-lb', lbBody(apiIp.id!), kit.lro);
    expect(lb.frontendIPConfigurations?.[0]?.id).toBe(`${lbId}/frontendIPConfigurations/fe`);
    expect((await net.publicIPAddresses.get(RG, 'api-ip')).ipConfiguration?.id).toBe(
      `${lbId}/frontendIPConfigurations/fe`,
    );

    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet1',
      vnetBody([{ name: 'cp', addressPrefix: '10.0.0.0/24' }]),
      kit.lro,
    );
    const subnetId = id('Microsoft.Network/virtualNetworks/subnets', 'vnet1', 'cp');
    expect(
      await errorCode(
        net.networkInterfaces.beginCreateOrUpdateAndWait(
          RG,
          'nic-bad',
          {
            location: LOCATION,
            ipConfigurations: [
              {
                name: 'ip',
                subnet: { id: subnetId },
                loadBalancerBackendAddressPools: [{ id: `${lbId}/backendAddressPools/nope` }],
              },
            ],
          },
          kit.lro,
        ),
      ),
    ).toBe('InvalidResourceReference');
    const nic = await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      'cp-0-nic',
      {
        location: LOCATION,
        ipConfigurations: [
          {
            name: 'ip',
            subnet: { id: subnetId },
            loadBalancerBackendAddressPools: [{ id: `${lbId}/backendAddressPools/cp` }],
          },
        ],
      },
      kit.lro,
    );
    const pool = (await net.loadBalancers.get(RG, 'api-lb')).backendAddressPools?.[0];
    expect(pool?.backendIPConfigurations?.map((c) => c.id)).toEqual([`${nic.id}/ipConfigurations/ip`]);
    expect(await errorCode(net.loadBalancers.beginDeleteAndWait(RG, 'api-lb', kit.lro))).toBe(
      'InUseLoadBalancerCannotBeDeleted',
    );
    await net.networkInterfaces.beginDeleteAndWait(RG, 'cp-0-nic', kit.lro);
    await net.loadBalancers.beginDeleteAndWait(RG, 'api-lb', kit.lro);
    const lbs = [];
    for await (const l of net.loadBalancers.listAll()) lbs.push(l);
    expect(lbs).toHaveLength(0);
  });

  it('validates like Azure with Azure error codes', async () => {
    const net = kit.clients.network;
    const put = (name: string, body: object) =>
      net.virtualNetworks.beginCreateOrUpdateAndWait(RG, name, body, kit.lro);
    expect(await errorCode(put('v', vnetBody([{ name: 's', addressPrefix: '10.1.0.0/24' }])))).toBe(
      'NetcfgSubnetRangeOutsideVnet',
    );
    expect(
      await errorCode(
        put(
          'v',
          vnetBody([
            { name: 'a', addressPrefix: '10.0.0.0/23' },
            { name: 'b', addressPrefix: '10.0.1.0/24' },
          ]),
        ),
      ),
    ).toBe('NetcfgSubnetRangesOverlap');
    expect(await errorCode(put('v', vnetBody([{ name: 's', addressPrefix: '10.0.0.5/24' }])))).toBe(
      'InvalidCIDRNotation',
    );
    expect(await errorCode(put('v', { ...vnetBody(), location: 'moon' }))).toBe(
      'LocationNotAvailableForResourceType',
    );
    expect(await errorCode(put('v', { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } }))).toBe(
      'LocationRequired',
    );
    expect(await errorCode(put('-bad-', vnetBody()))).toBe('InvalidResourceName');

    await put('v', vnetBody([{ name: 'a', addressPrefix: '10.0.0.0/24' }]));
    expect(
      await errorCode(
        net.subnets.beginCreateOrUpdateAndWait(RG, 'v', 'b', { addressPrefix: '10.0.0.128/25' }, kit.lro),
      ),
    ).toBe('NetcfgSubnetRangesOverlap');
    expect(
      await errorCode(
        net.subnets.beginCreateOrUpdateAndWait(
          RG,
          'v',
          'b',
          {
            addressPrefix: '10.0.1.0/24',
            networkSecurityGroup: { id: id('Microsoft.Network/networkSecurityGroups', 'missing') },
          },
          kit.lro,
        ),
      ),
    ).toBe('InvalidResourceReference');
    expect(
      await errorCode(
        net.subnets.beginCreateOrUpdateAndWait(RG, 'nov', 'b', { addressPrefix: '10.0.1.0/24' }, kit.lro),
      ),
    ).toBe('ResourceNotFound');
    // Shrinking the VNet under an existing subnet.
    expect(
      await errorCode(put('v', { location: LOCATION, addressSpace: { addressPrefixes: ['10.9.0.0/16'] } })),
    ).toBe('NetcfgSubnetRangeOutsideVnet');

    const subnetId = id('Microsoft.Network/virtualNetworks/subnets', 'v', 'a');
    const nic = (name: string, cfg: object) =>
      net.networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        name,
        { location: LOCATION, ipConfigurations: [{ name: 'ip', ...cfg }] },
        kit.lro,
      );
    expect(await errorCode(nic('n0', { subnet: { id: `${subnetId}-missing` } }))).toBe(
      'InvalidResourceReference',
    );
    await nic('n1', {
      subnet: { id: subnetId },
      privateIPAllocationMethod: 'Static',
      privateIPAddress: '10.0.0.10',
    });
    expect(
      await errorCode(
        nic('n2', {
          subnet: { id: subnetId },
          privateIPAllocationMethod: 'Static',
          privateIPAddress: '10.0.0.10',
        }),
      ),
    ).toBe('PrivateIPAddressIsAllocated');
    expect(
      await errorCode(
        nic('n2', {
          subnet: { id: subnetId },
          privateIPAllocationMethod: 'Static',
          privateIPAddress: '10.0.5.10',
        }),
      ),
    ).toBe('PrivateIPAddressNotInSubnet');
    expect(
      await errorCode(
        nic('n2', {
          subnet: { id: subnetId },
          privateIPAllocationMethod: 'Static',
          privateIPAddress: '10.0.0.2',
        }),
      ),
    ).toBe('PrivateIPAddressInReservedRange');

    const pip = (name: string, body: object) =>
      net.publicIPAddresses.beginCreateOrUpdateAndWait(
        RG,
        name,
        { location: LOCATION, publicIPAllocationMethod: 'Static', ...body },
        kit.lro,
      );
    expect(await errorCode(pip('p1', { sku: { name: 'Basic' }, zones: ['1'] }))).toBe(
      'ZonesNotSupportedForBasicSku',
    );
    expect(await errorCode(pip('p1', { sku: { name: 'Standard' }, zones: ['4'] }))).toBe(
      'AvailabilityZoneNotSupported',
    );
    expect(await errorCode(pip('p1', { location: 'westus', sku: { name: 'Standard' }, zones: ['1'] }))).toBe(
      'AvailabilityZoneNotSupported',
    );

    const rule = (name: string, priority: number) => ({
      name,
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: '22',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: '*',
      access: 'Allow',
      priority,
      direction: 'Inbound',
    });
    const nsg = (rules: object[]) =>
      net.networkSecurityGroups.beginCreateOrUpdateAndWait(
        RG,
        'nsg',
        { location: LOCATION, securityRules: rules },
        kit.lro,
      );
    expect(await errorCode(nsg([rule('a', 50)]))).toBe('SecurityRuleInvalidPriority');
    expect(await errorCode(nsg([rule('a', 100), rule('b', 100)]))).toBe('SecurityRuleConflict');
  });

  it('allocates unique private IPs to 50 NICs created in parallel, none lost or duplicated', async () => {
    const net = kit.clients.network;
    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'v',
      vnetBody([{ name: 'w', addressPrefix: '10.0.0.0/24' }]),
      kit.lro,
    );
    const subnetId = id('Microsoft.Network/virtualNetworks/subnets', 'v', 'w');
    const nics = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        net.networkInterfaces.beginCreateOrUpdateAndWait(
          RG,
          `nic-${i}`,
          { location: LOCATION, ipConfigurations: [{ name: 'ip', subnet: { id: subnetId } }] },
          kit.lro,
        ),
      ),
    );
    const ips = nics.map((n) => n.ipConfigurations?.[0]?.privateIPAddress);
    expect(new Set(ips).size).toBe(50);
    const listed = [];
    for await (const n of net.networkInterfaces.list(RG)) listed.push(n.name);
    expect(listed.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `nic-${i}`).sort());
    const puts = kit.emulator
      .operations()
      .filter((o) => o.method === 'PUT' && o.path.includes('networkInterfaces'));
    expect(puts).toHaveLength(50);
    expect(puts.every((o) => o.status === 201 && o.write)).toBe(true);
    expect((await net.subnets.get(RG, 'v', 'w')).ipConfigurations).toHaveLength(50);
  });
});
