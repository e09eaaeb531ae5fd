/**
 * A strict schema of the kubeadm v1beta4 kinds (and the kubelet's v1beta1 configuration) as this
 * project emits them: the fields we use, with kubeadm's own types and formats (v1beta4 turned
 * `extraArgs`/`kubeletExtraArgs` into lists of `{ name, value }` and durations into strings such as
 * "2h0m0s"). Unknown fields are errors, so a typo or a v1beta3-shaped field fails the tests instead of
 * being ignored by kubeadm at boot. Fields kubeadm knows but we do not emit are absent on purpose.
 *
 * Two values are filled in on the node, never in custom data: the bootstrap token and the CA
 * certificate hash (see bootScript.ts); in the emitted files they are the placeholders below.
 */
import { z } from 'zod';

export const KUBEADM_API_VERSION = 'kubeadm.k8s.io/v1beta4';
export const KUBELET_API_VERSION = 'kubelet.config.k8s.io/v1beta1';

/** Replaced on the node with the token read from Key Vault. */
export const BOOTSTRAP_TOKEN_PLACEHOLDER = '@BOOTSTRAP_TOKEN@';
/** Replaced on the node with the CA hash (from Key Vault's tag, or computed from the fetched CA). */
export const CA_CERT_HASH_PLACEHOLDER = '@CA_CERT_HASH@';
/** Replaced on the node with the installed kubeadm's version when the spec names only a minor. */
export const KUBERNETES_VERSION_PLACEHOLDER = '@KUBERNETES_VERSION@';

export const BOOTSTRAP_TOKEN_PATTERN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const token = z.union([z.string().regex(BOOTSTRAP_TOKEN_PATTERN), z.literal(BOOTSTRAP_TOKEN_PLACEHOLDER)]);
const caCertHash = z.union([z.string().regex(/^sha256:[0-9a-f]{64}$/), z.literal(CA_CERT_HASH_PLACEHOLDER)]);
/** Go's time.Duration text as kubeadm prints it, e.g. "2h0m0s", "5m0s". */
const duration = z.string().regex(/^(?:\d+h)?(?:\d+m)?(?:\d+s)$/);
const hostPort = z.string().regex(/^[a-z0-9.-]+:\d{1,5}$/);
const port = z.number().int().min(1).max(65535);
const arg = z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/), value: z.string() });
const args = z.array(arg).superRefine((list, ctx) => {
  const names = list.map((a) => a.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index)
      ctx.addIssue({ code: 'custom', message: `duplicate argument ${name}` });
  });
});
const cidr = z.string().regex(/^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/);
const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const nodeRegistration = z.strictObject({
  criSocket: z.literal('unix:///var/run/containerd/containerd.sock'),
  kubeletExtraArgs: args,
  taints: z.array(taint).optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
});

const apiEndpoint = z.strictObject({ bindPort: port });

export const initConfigurationSchema = z.strictObject({
  apiVersion: z.literal(KUBEADM_API_VERSION),
  kind: z.literal('InitConfiguration'),
  bootstrapTokens: z
    .array(
      z.strictObject({
        token,
        description: z.string().optional(),
        ttl: duration,
        usages: z.array(z.enum(['signing', 'authentication'])).min(1),
        groups: z.array(z.string().regex(/^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/)),
      }),
    )
    .length(1),
  nodeRegistration,
  localAPIEndpoint: apiEndpoint,
});

export const clusterConfigurationSchema = z.strictObject({
  apiVersion: z.literal(KUBEADM_API_VERSION),
  kind: z.literal('ClusterConfiguration'),
  clusterName: z.string().min(1),
  kubernetesVersion: z.union([
    z.string().regex(/^v\d+\.\d+\.\d+$/),
    z.literal(KUBERNETES_VERSION_PLACEHOLDER),
  ]),
  controlPlaneEndpoint: hostPort,
  certificatesDir: z.literal('/etc/kubernetes/pki'),
  networking: z.strictObject({ podSubnet: cidr, serviceSubnet: cidr, dnsDomain: z.string().min(1) }),
  apiServer: z.strictObject({ certSANs: z.array(z.string().min(1)).min(1), extraArgs: args }),
  controllerManager: z.strictObject({ extraArgs: args }),
});

export const joinConfigurationSchema = z.strictObject({
  apiVersion: z.literal(KUBEADM_API_VERSION),
  kind: z.literal('JoinConfiguration'),
  discovery: z.strictObject({
    bootstrapToken: z.strictObject({
      apiServerEndpoint: hostPort,
      token,
      caCertHashes: z.array(caCertHash).min(1),
    }),
    tlsBootstrapToken: token,
  }),
  nodeRegistration,
  controlPlane: z.strictObject({ localAPIEndpoint: apiEndpoint }).optional(),
});

export const kubeletConfigurationSchema = z.strictObject({
  apiVersion: z.literal(KUBELET_API_VERSION),
  kind: z.literal('KubeletConfiguration'),
  cgroupDriver: z.literal('systemd'),
  serverTLSBootstrap: z.boolean().optional(),
  rotateCertificates: z.literal(true),
  protectKernelDefaults: z.boolean().optional(),
});

export type InitConfiguration = z.infer<typeof initConfigurationSchema>;
export type ClusterConfiguration = z.infer<typeof clusterConfigurationSchema>;
export type JoinConfiguration = z.infer<typeof joinConfigurationSchema>;
export type KubeletConfiguration = z.infer<typeof kubeletConfigurationSchema>;
export type KubeadmDocument =
  InitConfiguration | ClusterConfiguration | JoinConfiguration | KubeletConfiguration;

const schemasByKind = {
  InitConfiguration: initConfigurationSchema,
  ClusterConfiguration: clusterConfigurationSchema,
  JoinConfiguration: joinConfigurationSchema,
  KubeletConfiguration: kubeletConfigurationSchema,
} as const;

/** Checks one parsed YAML document; returns problems as `kind: path: message` lines ([] when valid). */
export function checkKubeadmDocument(doc: unknown): string[] {
  const kind = typeof doc === 'object' && doc !== null && 'kind' in doc ? doc.kind : undefined;
  if (typeof kind !== 'string' || !(kind in schemasByKind)) {
    return [`unknown kind ${JSON.stringify(kind)}`];
  }
  const result = schemasByKind[kind as keyof typeof schemasByKind].safeParse(doc);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${kind}: ${issue.path.join('.')}: ${issue.message}`);
}
