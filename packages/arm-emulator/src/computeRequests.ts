/** Which of Compute's request-limit policies an ARM request counts against. */
import type { ArmStore } from './armStore';
import type { ComputeRequest } from './computeThrottle';
import { asObject, asString, type Json } from './json';
import { normalizeLocation } from './regions';

/**
 * The Compute policy a request counts against (VM reads, writes, deletes and lists, and polls of
 * Compute's operations), or undefined for anything else.
 */
export function computeRequestOf(
  store: ArmStore,
  method: string,
  segments: string[],
  body: Json | undefined,
): ComputeRequest | undefined {
  const lower = segments.map((s) => s.toLowerCase());
  const subscriptionId = segments[1];
  if (lower[0] !== 'subscriptions' || subscriptionId === undefined) return undefined;
  if (lower[2] === 'providers' && lower[3] === 'microsoft.compute') {
    // /subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/operations|operationResults/{id}
    if (lower[4] === 'locations' && segments.length === 8 && method === 'GET') {
      const op = store.getOperation(segments[7] ?? '');
      return {
        policy: 'GetOperation',
        subscriptionId,
        region: normalizeLocation(segments[5] ?? '*'),
        ...(op ? { resourceKey: op.targetKey } : {}),
      };
    }
    // /subscriptions/{s}/providers/Microsoft.Compute/virtualMachines|virtualMachineScaleSets
    if (lower[4] === 'virtualmachines' && segments.length === 5 && method === 'GET') {
      return { policy: 'HighCostGet', subscriptionId, region: '*' };
    }
    if (lower[4] === 'virtualmachinescalesets' && segments.length === 5 && method === 'GET') {
      return { policy: 'HighCostGetVMScaleSet', subscriptionId, region: '*' };
    }
    return undefined;
  }
  if (lower[2] !== 'resourcegroups' || lower[4] !== 'providers' || lower[5] !== 'microsoft.compute') {
    return undefined;
  }
  if (lower[6] === 'virtualmachinescalesets') return scaleSetRequestOf(store, method, segments, body);
  if (lower[6] !== 'virtualmachines') return undefined;
  if (segments.length === 7) {
    return method === 'GET' ? { policy: 'HighCostGet', subscriptionId, region: '*' } : undefined;
  }
  if (segments.length !== 8) return undefined;
  const policy = ({ GET: 'LowCostGet', PUT: 'PutVM', PATCH: 'UpdateVM', DELETE: 'DeleteVM' } as const)[
    method as 'GET' | 'PUT' | 'PATCH' | 'DELETE'
  ];
  if (policy === undefined) return undefined;
  const resourceKey = `/${lower.join('/')}`;
  const record = store.getRecord(resourceKey);
  const location = asString(record?.body.location) ?? asString(asObject(body)?.location);
  return {
    policy,
    subscriptionId,
    region: location !== undefined ? normalizeLocation(location) : '*',
    resourceKey,
  };
}

/** Requests on Flexible scale sets (create, update, delete, get, list, delete members). */
function scaleSetRequestOf(
  store: ArmStore,
  method: string,
  segments: string[],
  body: Json | undefined,
): ComputeRequest | undefined {
  const lower = segments.map((s) => s.toLowerCase());
  const subscriptionId = segments[1] ?? '';
  if (segments.length === 7) {
    return method === 'GET' ? { policy: 'HighCostGetVMScaleSet', subscriptionId, region: '*' } : undefined;
  }
  const resourceKey = `/${lower.slice(0, 8).join('/')}`;
  const record = store.getRecord(resourceKey);
  const location = asString(record?.body.location) ?? asString(asObject(body)?.location);
  const region = location !== undefined ? normalizeLocation(location) : '*';
  let policy: ComputeRequest['policy'] | undefined;
  if (segments.length === 8) {
    policy = (
      {
        GET: 'LowCostGetVMScaleSet',
        PUT: record ? 'UpdateVMScaleSet' : 'PutVMScaleSet',
        PATCH: 'UpdateVMScaleSet',
        DELETE: 'DeleteVMScaleSet',
      } as const
    )[method as 'GET' | 'PUT' | 'PATCH' | 'DELETE'];
  } else if (segments.length === 9 && method === 'POST' && lower[8] === 'delete') {
    // Estimate: Compute's table does not list deleteInstances; it is counted as a scale set delete.
    policy = 'DeleteVMScaleSet';
  }
  return policy === undefined ? undefined : { policy, subscriptionId, region, resourceKey };
}
