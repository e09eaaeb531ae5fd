import { type Json, type JsonObject, ResourceTypes } from '../../../src/cluster/plan/types';
import { parseResourceId } from '../../../src/resources/resourceId';
import { resourceTypes } from '../../../src/resources/types/registry';
import { diffDesired, wireToModel } from '../../../src/resources/wire';

const nsgId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/cp-nsg';

describe('wireToModel', () => {
  it('hoists properties recursively, in arrays too, and leaves tags alone', () => {
    const wire: JsonObject = {
      location: 'eastus',
      tags: { properties: 'kept' },
      properties: {
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [
          { name: 'a', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: nsgId } } },
        ],
      },
    };
    expect(wireToModel(wire)).toEqual({
      location: 'eastus',
      tags: { properties: 'kept' },
      addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      subnets: [{ name: 'a', addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: nsgId } }],
    });
  });

  it('hoists the nested properties of a VM network profile', () => {
    const vm: JsonObject = {
      location: 'eastus',
      zones: ['1'],
      properties: {
        hardwareProfile: { vmSize: 'Standard_D2s_v5' },
        networkProfile: { networkInterfaces: [{ id: 'nic', properties: { primary: true } }] },
      },
    };
    expect(wireToModel(vm)).toEqual({
      location: 'eastus',
      zones: ['1'],
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      networkProfile: { networkInterfaces: [{ id: 'nic', primary: true }] },
    });
  });
});

describe('diffDesired', () => {
  const desired = wireToModel({
    location: 'eastus',
    properties: {
      securityRules: [
        { name: 'allow-api', properties: { priority: 100, destinationPortRange: '6443' } },
        { name: 'allow-ssh', properties: { priority: 110, destinationPortRange: '22' } },
      ],
    },
  });

  it('ignores fields only ARM sets, read-only state and name-matched order', () => {
    const actual: Json = {
      id: nsgId,
      name: 'cp-nsg',
      location: 'East US',
      provisioningState: 'Succeeded',
      etag: 'W/"1"',
      defaultSecurityRules: [{ name: 'x' }],
      securityRules: [
        { name: 'Allow-SSH', priority: 110, destinationPortRange: '22', provisioningState: 'Succeeded' },
        { name: 'allow-api', priority: 100, destinationPortRange: '6443', protocol: 'Tcp' },
      ],
    };
    expect(diffDesired(desired, actual)).toEqual([]);
  });

  it('reports what differs', () => {
    const actual = {
      location: 'westeurope',
      securityRules: [
        { name: 'allow-api', priority: 100, destinationPortRange: '443' },
        { name: 'allow-ssh', priority: 110, destinationPortRange: '22' },
      ],
    };
    expect(diffDesired(desired, actual)).toEqual([
      'securityRules[allow-api].destinationPortRange',
      'location',
    ]);
    expect(diffDesired(desired, { location: 'eastus', securityRules: [] })).toEqual(['securityRules']);
    expect(diffDesired(desired, undefined)).toEqual(['.']);
  });

  it('compares ids case-insensitively and scalar arrays as multisets', () => {
    expect(diffDesired({ nsg: { id: nsgId } }, { nsg: { id: nsgId.toUpperCase() } })).toEqual([]);
    expect(diffDesired({ zones: ['1', '2'] }, { zones: ['2', '1'] })).toEqual([]);
    expect(diffDesired({ zones: ['1', '2'] }, { zones: ['2', '3'] })).toEqual(['zones']);
    expect(diffDesired({ name: 'a' }, { name: 'A' })).toEqual([]);
    expect(diffDesired({ name: 'a' }, { name: 'b' })).toEqual(['name']);
  });

  it('compares tags exactly: a tag removed from the spec is a difference', () => {
    const actual = { location: 'eastus', tags: { team: 'a', 'clusterProvisioner.cluster': 'demo' } };
    expect(diffDesired({ tags: { team: 'a', 'clusterProvisioner.cluster': 'demo' } }, actual)).toEqual([]);
    expect(diffDesired({ tags: { 'clusterProvisioner.cluster': 'demo' } }, actual)).toEqual(['tags']);
    expect(diffDesired({ tags: { team: 'b', 'clusterProvisioner.cluster': 'demo' } }, actual)).toEqual([
      'tags',
    ]);
    expect(diffDesired({ tags: {} }, { tags: { team: 'a' } })).toEqual(['tags']);
    expect(diffDesired({ tags: {} }, {})).toEqual([]);
    // Names are case-insensitive in ARM, values are not.
    expect(diffDesired({ tags: { Team: 'a' } }, { tags: { team: 'a' } })).toEqual([]);
    expect(diffDesired({ tags: { team: 'A' } }, { tags: { team: 'a' } })).toEqual(['tags']);
  });

  it("never compares a type's secrets, which ARM does not return", () => {
    const secretFields = resourceTypes.get(ResourceTypes.virtualMachine).secretFields;
    expect(
      diffDesired(
        { osProfile: { adminPassword: 'x', customData: 'y', computerName: 'n' } },
        { osProfile: { computerName: 'n' } },
        { secretFields },
      ),
    ).toEqual([]);
    expect(
      diffDesired({ osProfile: { adminPassword: 'x' } }, { osProfile: {} }, { secretFields: [] }),
    ).toEqual(['osProfile.adminPassword']);
  });
});

describe('parseResourceId', () => {
  it('splits top-level and child resources', () => {
    expect(
      parseResourceId(
        '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/cp',
      ),
    ).toEqual({
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/cp',
      subscriptionId: 's',
      resourceGroup: 'rg',
      type: 'Microsoft.Network/virtualNetworks/subnets',
      names: ['v', 'cp'],
    });
    expect(() => parseResourceId('/subscriptions/s/resourceGroups/rg')).toThrow(/Not an ARM resource id/);
  });
});
