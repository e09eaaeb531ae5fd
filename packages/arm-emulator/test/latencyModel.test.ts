import { DEFAULT_LATENCY_MS } from '../src';
import { LatencyModel } from '../src/latencyModel';
import { vcpusOfVmSize } from '../src/vmSizes';

describe('ARM emulator latency model', () => {
  it('has defaults of the right order: network seconds, VM a minute, AKS minutes', () => {
    const write = (t: string) => DEFAULT_LATENCY_MS[t.toLowerCase()]!.write;
    expect(write('Microsoft.Network/networkInterfaces')).toBeLessThan(
      write('Microsoft.Network/virtualNetworks'),
    );
    expect(write('Microsoft.Network/virtualNetworks')).toBeLessThan(write('Microsoft.Network/loadBalancers'));
    expect(write('Microsoft.Network/natGateways')).toBeLessThan(write('Microsoft.Compute/virtualMachines'));
    expect(write('Microsoft.Compute/virtualMachines')).toBeLessThan(
      write('Microsoft.ContainerService/managedClusters/agentPools'),
    );
    expect(write('Microsoft.ContainerService/managedClusters/agentPools')).toBeLessThan(
      write('Microsoft.ContainerService/managedClusters'),
    );
  });

  it('scales by the time scale and honours per-type overrides (any case, :delete for deletes)', () => {
    const model = new LatencyModel(
      { 'microsoft.compute/VIRTUALMACHINES': 1000, 'Microsoft.Compute/virtualMachines:delete': 200 },
      0.5,
    );
    expect(model.durationMs('Microsoft.Compute/virtualMachines', 'write')).toBe(500);
    expect(model.durationMs('Microsoft.Compute/virtualMachines', 'delete')).toBe(100);
    expect(model.durationMs('Microsoft.Network/virtualNetworks', 'write')).toBe(2000);
    model.setTimeScale(0);
    expect(model.durationMs('Microsoft.ContainerService/managedClusters', 'write')).toBe(0);
    expect(() => model.setTimeScale(-1)).toThrow(/timeScale/);
    expect(() => new LatencyModel({ x: -5 })).toThrow(/latencyMs\['x'\]/);
  });

  it.each([
    ['Standard_D4s_v5', 4],
    ['Standard_B2ms', 2],
    ['Standard_DS2_v2', 2],
    ['Standard_E16as_v5', 16],
    ['Standard_M128ms', 128],
    ['Standard_NC24ads_A100_v4', 24],
    ['huge', undefined],
  ])('derives vCPUs of %s as %s', (size, vcpus) => {
    expect(vcpusOfVmSize(size)).toBe(vcpus);
  });
});
