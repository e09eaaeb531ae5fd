/** Kubernetes on IaaS nodes: what each VM's custom data holds (pure; see docs/bootstrap.md). */
export { BOOT_SCRIPT, BOOT_SCRIPT_PATH, BOOTSTRAP_ENV_PATH, KUBEADM_TEMPLATE_PATH } from './bootScript';
export { BootstrapError, renderCloudConfig, renderCustomData } from './cloudConfig';
export {
  clusterBootstrap,
  identityId,
  MANAGED_IDENTITY_TYPE,
  nodeBootstrap,
  nodeRole,
} from './clusterBootstrap';
export { BOOTSTRAP_TOKEN_TTL_MINUTES, kubeadmConfigFile, kubeadmDocuments } from './kubeadmConfig';
export { BOOTSTRAP_TOKEN_PATTERN, checkKubeadmDocument } from './kubeadmSchema';
export type { ClusterBootstrap, NodeBootstrap, NodeRole } from './model';
export * from './names';
