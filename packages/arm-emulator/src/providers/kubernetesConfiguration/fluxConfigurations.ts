/**
 * Flux configurations (`<cluster>/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/<name>`):
 * a Git source and its kustomizations, reconciled by the cluster's `microsoft.flux` extension, which
 * must be installed first.
 */
import { badRequest } from '../../armError';
import { ArmTypes, extensionType } from '../../armTypes';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';

export const FLUX_CONFIGURATION_TYPE = 'Microsoft.KubernetesConfiguration/fluxConfigurations';

export const fluxConfigurations: ResourceProvider = {
  type: extensionType(ArmTypes.managedCluster, FLUX_CONFIGURATION_TYPE),
  armType: FLUX_CONFIGURATION_TYPE,
  latencyMs: { write: 30_000, delete: 30_000 },
  readOnly: [
    'statuses',
    'complianceState',
    'sourceSyncedCommitId',
    'sourceUpdatedAt',
    'statusUpdatedAt',
    'repositoryPublicKey',
    'errorMessage',
  ],
  prepare(ctx, record, _existing, parent) {
    const flux = parent
      ? ctx
          .childrenOf(parent)
          .find(
            (other) =>
              other.type ===
                extensionType(ArmTypes.managedCluster, 'Microsoft.KubernetesConfiguration/extensions') &&
              asString(asObject(other.body.properties)?.extensionType)?.toLowerCase() === 'microsoft.flux' &&
              other.provisioningState === 'Succeeded',
          )
      : undefined;
    if (!flux) {
      throw badRequest(
        'ExtensionNotFound',
        "The 'microsoft.flux' extension is not installed on the cluster; install it before creating Flux configurations.",
      );
    }
    const props = asObject(record.body.properties) ?? {};
    const kind = asString(props.sourceKind) ?? 'GitRepository';
    if (kind !== 'GitRepository') {
      throw badRequest(
        'InvalidParameter',
        `sourceKind '${kind}' is not served by this emulator (GitRepository is).`,
      );
    }
    const git = asObject(props.gitRepository);
    const url = asString(git?.url);
    if (url === undefined || !/^(https?:\/\/|ssh:\/\/|git@)\S+$/.test(url)) {
      throw badRequest('InvalidParameter', `gitRepository.url '${url ?? ''}' is not a Git repository URL.`);
    }
    const ref = asObject(git?.repositoryRef) ?? {};
    if (!['branch', 'tag', 'semver', 'commit'].some((k) => asString(ref[k]) !== undefined)) {
      throw badRequest(
        'InvalidParameter',
        'gitRepository.repositoryRef needs a branch, tag, semver or commit.',
      );
    }
    if (Object.keys(asObject(props.kustomizations) ?? {}).length === 0) {
      throw badRequest('InvalidParameter', 'A Flux configuration needs at least one kustomization.');
    }
    return undefined;
  },
  render(_ctx, record, _body, props) {
    props.complianceState = record.provisioningState === 'Succeeded' ? 'Compliant' : 'Pending';
    props.sourceSyncedCommitId ??= 'main@sha1:0000000000000000000000000000000000000000';
  },
};
