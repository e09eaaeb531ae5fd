/**
 * Azure public-cloud regions and their availability zones (as published by Microsoft, 2025).
 *
 * The planner needs this to default `zones` to "all of the region's zones" and to reject zones a
 * region does not have before anything is provisioned. Every zonal region exposes the logical zones
 * "1", "2" and "3". Update the table when Microsoft adds zones to a region.
 */

export interface Region {
  /** ARM location name, e.g. `eastus`. */
  name: string;
  displayName: string;
  /** Logical availability zones; empty when the region has none. */
  zones: readonly string[];
}

const THREE_ZONES = ['1', '2', '3'] as const;

const zonal: Record<string, string> = {
  australiaeast: 'Australia East',
  austriaeast: 'Austria East',
  belgiumcentral: 'Belgium Central',
  brazilsouth: 'Brazil South',
  canadacentral: 'Canada Central',
  centralindia: 'Central India',
  centralus: 'Central US',
  chilecentral: 'Chile Central',
  denmarkeast: 'Denmark East',
  eastasia: 'East Asia',
  eastus: 'East US',
  eastus2: 'East US 2',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  indonesiacentral: 'Indonesia Central',
  israelcentral: 'Israel Central',
  italynorth: 'Italy North',
  japaneast: 'Japan East',
  koreacentral: 'Korea Central',
  malaysiawest: 'Malaysia West',
  mexicocentral: 'Mexico Central',
  newzealandnorth: 'New Zealand North',
  northeurope: 'North Europe',
  norwayeast: 'Norway East',
  polandcentral: 'Poland Central',
  qatarcentral: 'Qatar Central',
  southafricanorth: 'South Africa North',
  southcentralus: 'South Central US',
  southeastasia: 'Southeast Asia',
  spaincentral: 'Spain Central',
  swedencentral: 'Sweden Central',
  switzerlandnorth: 'Switzerland North',
  uaenorth: 'UAE North',
  uksouth: 'UK South',
  westeurope: 'West Europe',
  westus2: 'West US 2',
  westus3: 'West US 3',
};

const nonZonal: Record<string, string> = {
  australiacentral: 'Australia Central',
  australiacentral2: 'Australia Central 2',
  australiasoutheast: 'Australia Southeast',
  brazilsoutheast: 'Brazil Southeast',
  canadaeast: 'Canada East',
  francesouth: 'France South',
  germanynorth: 'Germany North',
  japanwest: 'Japan West',
  jioindiacentral: 'Jio India Central',
  jioindiawest: 'Jio India West',
  koreasouth: 'Korea South',
  northcentralus: 'North Central US',
  norwaywest: 'Norway West',
  southafricawest: 'South Africa West',
  southindia: 'South India',
  swedensouth: 'Sweden South',
  switzerlandwest: 'Switzerland West',
  uaecentral: 'UAE Central',
  ukwest: 'UK West',
  westcentralus: 'West Central US',
  westindia: 'West India',
  westus: 'West US',
};

export const regions: ReadonlyMap<string, Region> = new Map<string, Region>([
  ...Object.entries(zonal).map(([name, displayName]): [string, Region] => [
    name,
    { name, displayName, zones: THREE_ZONES },
  ]),
  ...Object.entries(nonZonal).map(([name, displayName]): [string, Region] => [
    name,
    { name, displayName, zones: [] },
  ]),
]);

/**
 * ARM location names are lowercase without spaces; accept the display form ("East US") too,
 * because that is what the portal shows and users paste.
 */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

export function findRegion(location: string): Region | undefined {
  return regions.get(normalizeLocation(location));
}
