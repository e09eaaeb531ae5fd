/** The pure cluster domain: spec, validation and plan. No I/O, no SDK. */
export { checkAksChange } from './aksChanges';
export {
  type BroughtAksNetwork,
  checkBroughtAksNetwork,
  nodeSubnetAddressesNeeded,
} from './aksNetworkChecks';
export {
  checkOfferedVersions,
  type OfferedKubernetesVersion,
  offeredVersionsFrom,
  poolVersionSkewProblem,
} from './aksVersions';
export { aksNodeSubnet } from './applyDefaults';
export * from './plan';
export { findRegion, normalizeLocation, type Region, regions } from './regions';
export * from './spec';
export { formatPath, parseClusterSpec, type ParseClusterSpecResult, type SpecError } from './validate';
export { systemPoolSizeProblem, vmSizeCapacity } from './vmSizes';
