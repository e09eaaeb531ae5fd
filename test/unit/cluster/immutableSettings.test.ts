import { bootstrapSettingChanges } from '../../../src/cluster/admission/immutableSettings';
import type { IaasClusterSpec } from '../../../src/cluster/spec';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { iaasInput } from './fixtures';

function spec(changes: Record<string, unknown> = {}): IaasClusterSpec {
  const parsed = parseClusterSpec({ ...iaasInput(), ...changes });
  if (!parsed.ok || parsed.spec.type !== 'iaas') throw new Error(JSON.stringify(parsed));
  return parsed.spec;
}

describe('settings an existing IaaS cluster cannot change', () => {
  it('refuses a new Kubernetes version, naming the field and why', () => {
    expect(bootstrapSettingChanges(spec(), spec({ kubernetesVersion: '1.32.4' }))).toEqual([
      {
        path: 'kubernetesVersion',
        message: expect.stringMatching(
          /cannot change from "1\.33\.2" to "1\.32\.4".*upgrades .* not available yet/,
        ) as string,
      },
    ]);
  });

  it('refuses a new CNI, pod or service range, or internal API address', () => {
    const changed = spec({
      network: {
        cni: 'cilium',
        podCidr: '172.16.0.0/16',
        serviceCidr: '172.17.0.0/16',
        apiServer: { internalIp: '10.0.0.100' },
      },
    });
    expect(bootstrapSettingChanges(spec(), changed).map((c) => c.path)).toEqual([
      'network.cni',
      'network.podCidr',
      'network.serviceCidr',
      'network.apiServer.internalIp',
    ]);
  });

  it('lets everything else change, and ignores specs from before these fields existed', () => {
    expect(bootstrapSettingChanges(spec(), spec({ tags: { team: 'a' } }))).toEqual([]);
    const old = { ...spec(), network: { ...spec().network, cni: undefined, apiServer: {} } };
    expect(bootstrapSettingChanges(old, spec())).toEqual([]);
    expect(bootstrapSettingChanges({ type: 'aks' }, spec())).toEqual([]);
  });
});
