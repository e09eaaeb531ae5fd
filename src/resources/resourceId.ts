/** The parts of an ARM resource id the SDK methods take as separate arguments. */
export interface ResourceRef {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Provider namespace and types, e.g. `Microsoft.Network/virtualNetworks/subnets`. */
  type: string;
  /** Names from the outermost resource inward, e.g. `['demo-vnet', 'demo-cp-subnet']`. */
  names: string[];
}

const idPattern = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i;

/** Splits `/subscriptions/s/resourceGroups/rg/providers/Ns/type/name[/childType/childName…]`. */
export function parseResourceId(id: string): ResourceRef {
  const m = idPattern.exec(id);
  const rest = m?.[4]?.split('/') ?? [];
  if (!m || rest.length < 2 || rest.length % 2 !== 0) {
    throw new Error(`Not an ARM resource id: "${id}"`);
  }
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    types.push(rest[i] ?? '');
    names.push(decodeURIComponent(rest[i + 1] ?? ''));
  }
  return {
    id,
    subscriptionId: m[1] ?? '',
    resourceGroup: m[2] ?? '',
    type: `${m[3] ?? ''}/${types.join('/')}`,
    names,
  };
}

/** ARM ids are case-insensitive. */
export function sameResourceId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
