export { agentPoolProfile, planManagedCluster } from './aks';
export { CONTROL_PLANE_POOL, type ExistingNodes, planNodes } from './compute';
export { TAG_CLUSTER, TAG_NODE, TAG_POOL, TAG_ROLE } from './context';
export { planApiServerLoadBalancer } from './loadBalancer';
export { API_SERVER_PORT, controlPlaneSecurityRules, planNetwork, workerSecurityRules } from './network';
export { type ExistingNode, nodeNamePrefix, type NodePlacement, placeNodesAcrossZones } from './placement';
export { planCluster, PlanError, type PlanOptions } from './planCluster';
export { planCriticalPath, PlanGraphError } from './planCriticalPath';
export * from './types';
