export { API_SERVER_PORT } from '../apiServer';
export {
  agentPoolProperties,
  autoscalerProfileWire,
  clusterBodyPool,
  managedClusterBody,
  planManagedCluster,
} from './aks';
export { durationSeconds, FLUX_EXTENSION_NAME, KUBERNETES_INITIATIVES, planAksAddons } from './aksAddons';
export {
  ACI_DELEGATION_SERVICE,
  NETWORK_CONTRIBUTOR_ROLE,
  planAksNetwork,
  planControlPlaneIdentity,
} from './aksNetwork';
export { CONTROL_PLANE_POOL, type ExistingNodes, planNodes } from './compute';
export { TAG_CLUSTER, TAG_NODE, TAG_POOL, TAG_ROLE } from './context';
export { stableGuid } from './guid';
export { planApiServerLoadBalancer } from './loadBalancer';
export { controlPlaneSecurityRules, planNetwork, workerSecurityRules } from './network';
export { type ExistingNode, nodeNamePrefix, type NodePlacement, placeNodesAcrossZones } from './placement';
export { planCluster, PlanError, type PlanOptions } from './planCluster';
export { planCriticalPath, PlanGraphError } from './planCriticalPath';
export * from './types';
