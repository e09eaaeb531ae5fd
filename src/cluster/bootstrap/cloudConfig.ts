/**
 * A node's cloud-init custom data: kernel modules and sysctls for Kubernetes networking, containerd,
 * the public bootstrap settings, kubeadm's configuration template and the boot script (bootScript.ts),
 * run once by `runcmd`. It holds no secret (Azure's own guidance: custom data is readable by anyone
 * who can read the VM's disk or the instance metadata service); tests assert that.
 *
 * A spec's own `cloudInit` text is kept and runs too: the custom data becomes a MIME multipart
 * message (cloud-init's format for several parts) with ours first, and theirs merged into it by
 * appending lists rather than replacing ours.
 */
import { stringify } from 'yaml';

import { BOOT_SCRIPT, BOOT_SCRIPT_PATH, BOOTSTRAP_ENV_PATH, KUBEADM_TEMPLATE_PATH } from './bootScript';
import { kubeadmConfigFile } from './kubeadmConfig';
import { isControlPlaneRole, type NodeBootstrap } from './model';
import { CA_CERT_HASH_TAG, CONTROL_PLANE_PKI_FILES, VaultSecrets } from './names';
import {
  aptVersionPattern,
  CILIUM_CLI_VERSION,
  CLOUD_PROVIDER_AZURE_VERSIONS,
  CNI_VERSIONS,
  isSupportedMinor,
  kubernetesPackageRepository,
  parseKubernetesVersion,
} from './versions';

export const CLOUD_CONFIG_HEADER = '#cloud-config';
/** How long a node keeps retrying Key Vault and the API server before it gives up (role propagation, slow peers). */
export const BOOTSTRAP_RETRY_SECONDS = 1800;

export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
}

/** `KEY='value'` lines, single-quoted so the shell takes every value literally. */
function envFile(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}='${value.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

/** The public settings the boot script reads (bootstrap.env). */
export function bootstrapSettings(node: NodeBootstrap): Record<string, string> {
  const { cluster } = node;
  const version = parseKubernetesVersion(cluster.kubernetesVersion);
  if (!version || !isSupportedMinor(version.minor)) {
    throw new BootstrapError(`kubernetesVersion "${cluster.kubernetesVersion}" cannot be bootstrapped`);
  }
  const controlPlane = isControlPlaneRole(node.role);
  const identity = controlPlane ? cluster.identities.controlPlane : cluster.identities.worker;
  return {
    ROLE: node.role,
    CLUSTER_NAME: cluster.clusterName,
    K8S_REPO: kubernetesPackageRepository(version.minor),
    K8S_APT_VERSION: aptVersionPattern(version) ?? '',
    ENDPOINT_HOST: cluster.endpoint.fqdn,
    ENDPOINT_PORT: String(cluster.endpoint.port),
    ENDPOINT_INTERNAL_IP: cluster.endpoint.internalIp,
    VAULT_URI: cluster.vaultUri,
    IDENTITY_RESOURCE_ID: encodeURIComponent(identity),
    SECRET_JOIN_TOKEN: VaultSecrets.joinToken,
    CA_HASH_TAG: CA_CERT_HASH_TAG,
    KUBEADM_TEMPLATE: KUBEADM_TEMPLATE_PATH,
    RETRY_SECONDS: String(BOOTSTRAP_RETRY_SECONDS),
    ...(controlPlane
      ? {
          PKI_FILES: CONTROL_PLANE_PKI_FILES.map((f) => `${f.secret}=${f.path}`).join(' '),
          CNI: cluster.cni,
          CNI_VERSION: CNI_VERSIONS[cluster.cni],
          CILIUM_CLI_VERSION,
          CCM_VERSION: CLOUD_PROVIDER_AZURE_VERSIONS[version.minor],
          CLOUD_SUBSCRIPTION_ID: cluster.azure.subscriptionId,
          CLOUD_RESOURCE_GROUP: cluster.azure.resourceGroup,
          CLOUD_LOCATION: cluster.azure.location,
          CLOUD_VNET_NAME: cluster.azure.vnetName,
          CLOUD_VNET_RESOURCE_GROUP: cluster.azure.vnetResourceGroup,
          CLOUD_SUBNET_NAME: cluster.azure.subnetName,
          CLOUD_NSG_NAME: cluster.azure.securityGroupName,
          CLOUD_NSG_RESOURCE_GROUP: cluster.azure.securityGroupResourceGroup,
          CLOUD_IDENTITY_ID: identity,
        }
      : {}),
  };
}

/** The node's cloud-config document (first line exactly `#cloud-config`). */
export function renderCloudConfig(node: NodeBootstrap): string {
  const config = {
    package_update: true,
    packages: ['apt-transport-https', 'ca-certificates', 'curl', 'gpg', 'containerd', 'python3', 'openssl'],
    write_files: [
      {
        path: '/etc/modules-load.d/kubernetes.conf',
        owner: 'root:root',
        permissions: '0644',
        content: 'overlay\nbr_netfilter\n',
      },
      {
        path: '/etc/sysctl.d/99-kubernetes.conf',
        owner: 'root:root',
        permissions: '0644',
        content:
          'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n',
      },
      {
        path: BOOTSTRAP_ENV_PATH,
        owner: 'root:root',
        permissions: '0600',
        content: envFile(bootstrapSettings(node)),
      },
      {
        path: KUBEADM_TEMPLATE_PATH,
        owner: 'root:root',
        permissions: '0600',
        content: kubeadmConfigFile(node),
      },
      { path: BOOT_SCRIPT_PATH, owner: 'root:root', permissions: '0700', content: BOOT_SCRIPT },
    ],
    runcmd: [[BOOT_SCRIPT_PATH]],
  };
  return `${CLOUD_CONFIG_HEADER}\n${stringify(config, { lineWidth: 0 })}`;
}

const MIME_BOUNDARY = '==CLUSTER-PROVISIONER-BOUNDARY==';

function userPartType(text: string): string {
  if (text.startsWith('#cloud-config')) return 'text/cloud-config';
  if (text.startsWith('#!')) return 'text/x-shellscript';
  if (text.startsWith('#cloud-boothook')) return 'text/cloud-boothook';
  throw new BootstrapError(
    'cloudInit must start with "#cloud-config", "#!" (a script) or "#cloud-boothook" to run next to the Kubernetes bootstrap',
  );
}

/**
 * The custom data of a node: our cloud-config, or — with the spec's own `cloudInit` — a multipart
 * message of ours and theirs (theirs merged by appending, so it cannot drop our runcmd).
 */
export function renderCustomData(node: NodeBootstrap, userCloudInit?: string): string {
  const ours = renderCloudConfig(node);
  if (userCloudInit === undefined) return ours;
  const theirs = userCloudInit.replace(/^\uFEFF/, '');
  const part = (type: string, body: string, extra = ''): string =>
    `--${MIME_BOUNDARY}\nContent-Type: ${type}; charset="utf-8"\nMIME-Version: 1.0\n${extra}\n${body.endsWith('\n') ? body : `${body}\n`}`;
  return [
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"\nMIME-Version: 1.0\n\n`,
    part('text/cloud-config', ours),
    part(userPartType(theirs), theirs, 'Merge-Type: list(append)+dict(no_replace,recurse_list)+str()\n'),
    `--${MIME_BOUNDARY}--\n`,
  ].join('');
}

/**
 * The spec's own cloud-init inside a node's custom data (base64, as planned), or undefined when the
 * node runs only ours. Custom data planned before the Kubernetes bootstrap existed was the spec's
 * text alone, and is returned whole, so a cluster created then is compared by what its user wrote.
 */
export function userCloudInitOf(customDataBase64: string | undefined): string | undefined {
  if (customDataBase64 === undefined) return undefined;
  const text = Buffer.from(customDataBase64, 'base64').toString('utf8');
  const header = `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`;
  if (text.startsWith(header)) {
    const parts = text.split(`--${MIME_BOUNDARY}`);
    // [preamble, ours, theirs, "--\n"]: theirs is headers, a blank line, then the text.
    const theirs = parts[2] ?? '';
    const blank = theirs.indexOf('\n\n');
    return blank < 0 ? theirs : theirs.slice(blank + 2);
  }
  if (text.startsWith(`${CLOUD_CONFIG_HEADER}\n`) && text.includes(BOOT_SCRIPT_PATH)) return undefined;
  return text;
}
