export { ArmError } from './armError';
export type { OperationRecord } from './armRouter';
export { BASIC_SKU_ZONES_CODE } from './armStore';
export { AZURE_THROTTLE_LIMITS, type BucketLimits, type ThrottleLimits } from './armThrottle';
export type { EventGridEvent } from './eventPublisher';
export type { FaultRule } from './faultInjector';
export { DEFAULT_LATENCY_MS } from './latencyModel';
export { parseThrottle } from './main';
export {
  type ArmEmulator,
  type ArmEmulatorOptions,
  DEFAULT_SUBSCRIPTION_ID,
  startArmEmulator,
} from './startArmEmulator';
