export {
  ALLOCATION_FAILURE_CODES,
  type AllocationFailureCode,
  type AllocationFailureRule,
} from './allocationFailures';
export { ArmError } from './armError';
export type { OperationRecord } from './armRouter';
export { BASIC_SKU_ZONES_CODE, type RunCommandExecution, type RunCommandParameter } from './armStore';
export { AZURE_THROTTLE_LIMITS, type BucketLimits, type ThrottleLimits } from './armThrottle';
export {
  AZURE_COMPUTE_LIMITS,
  AZURE_LEGACY_COMPUTE_LIMITS,
  type ComputeBucket,
  type ComputePolicyName,
  type ComputeThrottleLimits,
  type ComputeThrottleSetting,
} from './computeThrottle';
export type { EventGridEvent } from './eventPublisher';
export type { FaultRule } from './faultInjector';
export { DEFAULT_APP_PRINCIPAL_ID, type IdentityToken } from './keyVault/dataPlaneAccess';
export { HEAVY_TAIL_LATENCY, type LatencyDistribution } from './latencyDistributions';
export { DEFAULT_LATENCY_MS, type LatencyDraw, type LatencyModelKind } from './latencyModel';
export { parseComputeThrottle, parseLatencyModelSetting, parseSeedSetting, parseThrottle } from './main';
export { flexMemberName } from './providers/compute/virtualMachineScaleSets';
export {
  type ArmEmulator,
  type ArmEmulatorOptions,
  DEFAULT_SUBSCRIPTION_ID,
  startArmEmulator,
} from './startArmEmulator';
