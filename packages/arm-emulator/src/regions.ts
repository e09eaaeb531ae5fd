/**
 * The emulator's view of Azure regions: which locations exist and which have availability zones.
 * Kept separate from the app's own table on purpose: the stand-in must not trust the code it tests.
 */
const zonalRegions = [
  'australiaeast',
  'austriaeast',
  'belgiumcentral',
  'brazilsouth',
  'canadacentral',
  'centralindia',
  'centralus',
  'chilecentral',
  'denmarkeast',
  'eastasia',
  'eastus',
  'eastus2',
  'francecentral',
  'germanywestcentral',
  'indonesiacentral',
  'israelcentral',
  'italynorth',
  'japaneast',
  'koreacentral',
  'malaysiawest',
  'mexicocentral',
  'newzealandnorth',
  'northeurope',
  'norwayeast',
  'polandcentral',
  'qatarcentral',
  'southafricanorth',
  'southcentralus',
  'southeastasia',
  'spaincentral',
  'swedencentral',
  'switzerlandnorth',
  'uaenorth',
  'uksouth',
  'westeurope',
  'westus2',
  'westus3',
];

const nonZonalRegions = [
  'australiacentral',
  'australiacentral2',
  'australiasoutheast',
  'brazilsoutheast',
  'canadaeast',
  'francesouth',
  'germanynorth',
  'japanwest',
  'jioindiacentral',
  'jioindiawest',
  'koreasouth',
  'northcentralus',
  'norwaywest',
  'southafricawest',
  'southindia',
  'swedensouth',
  'switzerlandwest',
  'uaecentral',
  'ukwest',
  'westcentralus',
  'westindia',
  'westus',
];

const zonesByRegion = new Map<string, readonly string[]>([
  ...zonalRegions.map((r): [string, readonly string[]] => [r, ['1', '2', '3']]),
  ...nonZonalRegions.map((r): [string, readonly string[]] => [r, []]),
]);

/** ARM accepts "West Europe" and answers "westeurope". */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/** The region's zones; `undefined` when the location does not exist. */
export function zonesOf(location: string): readonly string[] | undefined {
  return zonesByRegion.get(normalizeLocation(location));
}

export function knownRegions(): string[] {
  return [...zonesByRegion.keys()].sort();
}
