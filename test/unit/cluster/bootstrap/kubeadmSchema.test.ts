/** The strict kubeadm schema refuses what kubeadm v1beta4 would reject or silently ignore. */
import { checkKubeadmDocument, clusterBootstrap, kubeadmDocuments } from '../../../../src/cluster/bootstrap';
import { parseClusterSpec } from '../../../../src/cluster/validate';
import { iaasInput, SUBSCRIPTION_ID } from '../fixtures';

function initDocuments(): Record<string, unknown>[] {
  const parsed = parseClusterSpec(iaasInput());
  if (!parsed.ok || parsed.spec.type !== 'iaas') throw new Error('invalid fixture');
  const cluster = clusterBootstrap(parsed.spec, SUBSCRIPTION_ID);
  return kubeadmDocuments({ cluster, role: 'initControlPlane', pool: 'controlPlane' });
}

describe('kubeadm v1beta4 schema', () => {
  it('accepts what the bootstrap emits', () => {
    expect(initDocuments().flatMap(checkKubeadmDocument)).toEqual([]);
  });

  it.each<[string, (docs: Record<string, unknown>[]) => void, RegExp]>([
    [
      'v1beta3-style map extraArgs',
      (docs) => {
        (docs[1] as { controllerManager: unknown }).controllerManager = {
          extraArgs: { 'cloud-provider': 'external' },
        };
      },
      /ClusterConfiguration: controllerManager\.extraArgs/,
    ],
    [
      'an older apiVersion',
      (docs) => {
        docs[0] = { ...docs[0], apiVersion: 'kubeadm.k8s.io/v1beta3' };
      },
      /InitConfiguration: apiVersion/,
    ],
    [
      'an unknown field (a typo)',
      (docs) => {
        docs[1] = { ...docs[1], controlPlaneEndPoint: 'x:6443' };
      },
      /ClusterConfiguration: .*controlPlaneEndPoint/,
    ],
    [
      'a malformed bootstrap token',
      (docs) => {
        (docs[0] as { bootstrapTokens: { token: string }[] }).bootstrapTokens[0]!.token = 'not-a-token';
      },
      /InitConfiguration: bootstrapTokens\.0\.token/,
    ],
    [
      'a cgroupfs kubelet',
      (docs) => {
        docs[2] = { ...docs[2], cgroupDriver: 'cgroupfs' };
      },
      /KubeletConfiguration: cgroupDriver/,
    ],
  ])('refuses %s', (_what, change, message) => {
    const docs = initDocuments();
    change(docs);
    expect(docs.flatMap(checkKubeadmDocument).join('\n')).toMatch(message);
  });

  it('refuses a kind it does not know', () => {
    expect(checkKubeadmDocument({ kind: 'UpgradeConfiguration' })).toEqual([
      'unknown kind "UpgradeConfiguration"',
    ]);
  });
});
