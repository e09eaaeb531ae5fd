/**
 * Cluster extensions (`<cluster>/providers/Microsoft.KubernetesConfiguration/extensions/<name>`),
 * children of their managed cluster: installed into a running cluster, removed with it.
 */
import { badRequest, conflict } from '../../armError';
import { ArmTypes, extensionType } from '../../armTypes';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';

export const EXTENSION_TYPE = 'Microsoft.KubernetesConfiguration/extensions';

/** Extension types the emulator installs, with the version it reports. */
const KNOWN_EXTENSIONS: Readonly<Record<string, string>> = {
  'microsoft.flux': '1.15.1',
  'microsoft.azuredefender.kubernetes': '1.0.0',
  'microsoft.dapr': '1.15.4',
};

export const clusterExtensions: ResourceProvider = {
  type: extensionType(ArmTypes.managedCluster, EXTENSION_TYPE),
  armType: EXTENSION_TYPE,
  latencyMs: { write: 90_000, delete: 60_000 },
  readOnly: ['version', 'installState', 'statuses', 'currentVersion', 'isSystemExtension'],
  prepare(ctx, record, existing, parent) {
    const props = asObject(record.body.properties) ?? {};
    const kind = asString(props.extensionType)?.toLowerCase();
    if (kind === undefined || KNOWN_EXTENSIONS[kind] === undefined) {
      throw badRequest(
        'ExtensionTypeRegistrationGetFailed',
        `Extension type '${asString(props.extensionType) ?? ''}' is not available in this region.`,
      );
    }
    if (existing && asString(asObject(existing.body.properties)?.extensionType)?.toLowerCase() !== kind) {
      throw badRequest(
        'ExtensionTypeChangeNotAllowed',
        'The extension type of an installed extension cannot change.',
      );
    }
    const twin = parent
      ? ctx
          .childrenOf(parent)
          .find(
            (other) =>
              other.type === record.type &&
              other.key !== record.key &&
              asString(asObject(other.body.properties)?.extensionType)?.toLowerCase() === kind,
          )
      : undefined;
    if (twin) {
      throw conflict(
        'ExtensionAlreadyExists',
        `An extension of type '${kind}' is already installed on the cluster as '${twin.name}'.`,
      );
    }
    record.derived.version ??= KNOWN_EXTENSIONS[kind];
    return undefined;
  },
  render(_ctx, record, _body, props) {
    const version = asString(record.derived.version);
    if (version !== undefined) props.currentVersion = version;
    props.isSystemExtension = false;
  },
};
