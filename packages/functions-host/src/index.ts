/**
 * The local Functions host: loads any Node.js v4 Functions app the way the Functions Node worker does and
 * serves it offline (HTTP triggers with keys, Event Grid webhooks, Durable Functions by history replay).
 * This is the package's public surface; everything else is internal.
 */
export { loadFunctionsApp } from './core';
export { type InstanceWork } from './durable/workStats';
export { expandMainGlob } from './expandMainGlob';
export {
  type FunctionEndpoint,
  HostStartError,
  type RunningHost,
  startHost,
  type StartHostOptions,
} from './host';
export { createJsonLogger, type HostLogger, type LogLevel, silentLogger } from './hostLogger';
export {
  closeOnSignals,
  durableManagementUrl,
  eventGridWebhookUrl,
  parsePort,
  printBanner,
  UsageError,
} from './main';
export {
  effectiveSettings,
  findProjectRoot,
  type LocalSettings,
  LocalSettingsError,
  readLocalSettings,
} from './readLocalSettings';
