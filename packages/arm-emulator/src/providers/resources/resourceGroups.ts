import { ArmTypes } from '../../armTypes';
import type { JsonObject } from '../../json';
import type { ResourceGroupRecord } from '../../store/records';

/**
 * Resource groups are the store's containers rather than records of a provider (every other
 * resource lives in one); what is particular to their type lives here.
 */
export const resourceGroups = {
  type: ArmTypes.resourceGroup,
  latencyMs: { write: 0, delete: 15_000 },
  render(group: ResourceGroupRecord): JsonObject {
    return {
      ...group.body,
      id: group.id,
      name: group.name,
      type: ArmTypes.resourceGroup,
      location: group.location,
      properties: { provisioningState: group.provisioningState },
    };
  },
} as const;
