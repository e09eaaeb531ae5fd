/** The emulator's control settings (`PUT /_emulator/settings`): parsing, naming the wrong field. */
import { asNumber, asObject, type Json } from './json';
import { type LatencyModelKind, parseLatencyModel, parseSeed } from './latencyModel';

/** What `PUT /_emulator/settings` may change. */
export interface SettingsUpdate {
  timeScale?: number;
  vcpuQuotaPerRegion?: number;
  pollRetryAfterSeconds?: number | null;
  latencyModel?: LatencyModelKind;
  seed?: number;
  throttle?: 'azure' | 'off';
  computeThrottle?: 'azure' | 'azure-legacy' | 'off';
}

/** Reads a settings body (every field optional); throws naming the field that is wrong. */
export function parseSettings(body: Json | undefined): SettingsUpdate {
  const input = asObject(body);
  if (!input) throw new Error('settings must be a JSON object');
  const out: SettingsUpdate = {};
  if (input.timeScale !== undefined) {
    const v = asNumber(input.timeScale);
    if (v === undefined || v < 0) throw new Error('settings.timeScale must be a non-negative number');
    out.timeScale = v;
  }
  if (input.vcpuQuotaPerRegion !== undefined) {
    const v = asNumber(input.vcpuQuotaPerRegion);
    if (v === undefined || v < 0)
      throw new Error('settings.vcpuQuotaPerRegion must be a non-negative number');
    out.vcpuQuotaPerRegion = v;
  }
  if (input.pollRetryAfterSeconds !== undefined) {
    if (input.pollRetryAfterSeconds === null) out.pollRetryAfterSeconds = null;
    else {
      const v = asNumber(input.pollRetryAfterSeconds);
      if (v === undefined || v < 0)
        throw new Error('settings.pollRetryAfterSeconds must be a non-negative number or null');
      out.pollRetryAfterSeconds = v;
    }
  }
  if (input.latencyModel !== undefined) {
    out.latencyModel = parseLatencyModel(input.latencyModel, 'settings.latencyModel');
  }
  if (input.seed !== undefined) out.seed = parseSeed(input.seed, 'settings.seed');
  if (input.throttle !== undefined) {
    if (input.throttle !== 'azure' && input.throttle !== 'off') {
      throw new Error(`settings.throttle must be 'azure' or 'off', got ${JSON.stringify(input.throttle)}`);
    }
    out.throttle = input.throttle;
  }
  if (input.computeThrottle !== undefined) {
    const v = input.computeThrottle;
    if (v !== 'azure' && v !== 'azure-legacy' && v !== 'off') {
      throw new Error(
        `settings.computeThrottle must be 'azure', 'azure-legacy' or 'off', got ${JSON.stringify(v)}`,
      );
    }
    out.computeThrottle = v;
  }
  return out;
}
