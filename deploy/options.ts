/** The deploy command's options: parsed from the command line, each bad value reported by its flag. */
import { parseArgs } from 'node:util';

import { type Feature, FEATURES } from './roles';

export interface DeployOptions {
  subscriptionId: string;
  /** The resource group of the Function App and everything around it (created when missing). */
  resourceGroup: string;
  /** The Function App's name (its host name is `<name>.azurewebsites.net`). */
  name: string;
  location: string;
  /** Resource groups the app provisions clusters in (they must exist); the app's own group when none are given. */
  targetResourceGroups: string[];
  /** What the app does in the target groups; decides the roles its identity gets. */
  features: Feature[];
  /** The storage account's name; derived from the app's name when not given. */
  storageAccountName?: string;
  /** The zip to upload; `npm run package`'s output when not given. */
  packagePath?: string;
  dryRun: boolean;
}

export class DeployUsageError extends Error {
  override readonly name = 'DeployUsageError';
}

export const DEPLOY_USAGE =
  'npm run deploy -- --subscription <id> --resource-group <rg> --name <app> --location <region> ' +
  '[--target-rg <rg>]... [--features iaas,aks,keyvault,policy] [--storage-account <name>] [--package <zip>] [--dry-run]';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const STORAGE_NAME = /^[a-z0-9]{3,24}$/;

function required(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '') throw new DeployUsageError(`--${flag} is required`);
  return value.trim();
}

function resourceGroupName(flag: string, value: string): string {
  if (!RESOURCE_GROUP.test(value))
    throw new DeployUsageError(
      `--${flag}: '${value}' is not a resource group name (1-90 letters, digits, -_.(), not ending in '.')`,
    );
  return value;
}

/** Parses `npm run deploy -- ...` arguments. */
export function parseDeployArgs(args: string[]): DeployOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        subscription: { type: 'string' },
        'resource-group': { type: 'string' },
        name: { type: 'string' },
        location: { type: 'string' },
        'target-rg': { type: 'string', multiple: true },
        features: { type: 'string' },
        'storage-account': { type: 'string' },
        package: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new DeployUsageError((err as Error).message);
  }
  const { values } = parsed;
  const subscriptionId = required(values, 'subscription');
  if (!GUID.test(subscriptionId))
    throw new DeployUsageError(`--subscription: must be a subscription id (a GUID), got '${subscriptionId}'`);
  const resourceGroup = resourceGroupName('resource-group', required(values, 'resource-group'));
  const name = required(values, 'name');
  if (!APP_NAME.test(name))
    throw new DeployUsageError(
      `--name: '${name}' is not a Function App name (2-32 lowercase letters, digits and hyphens, starting and ending with a letter or digit)`,
    );
  const location = required(values, 'location').toLowerCase().replace(/\s+/g, '');
  if (!/^[a-z0-9]+$/.test(location))
    throw new DeployUsageError(`--location: '${location}' is not a region name (e.g. eastus)`);

  const targets = (values['target-rg'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  const targetResourceGroups = [
    ...new Set(
      (targets.length > 0 ? targets : [resourceGroup]).map((rg) => resourceGroupName('target-rg', rg)),
    ),
  ];

  const featureList = (values.features ?? 'iaas').split(',').map((f) => f.trim().toLowerCase());
  const unknown = featureList.filter((f) => !(FEATURES as readonly string[]).includes(f));
  if (unknown.length > 0 || featureList.length === 0)
    throw new DeployUsageError(`--features: unknown ${unknown.join(', ')} (known: ${FEATURES.join(', ')})`);
  const features = FEATURES.filter((f) => featureList.includes(f));

  const options: DeployOptions = {
    subscriptionId: subscriptionId.toLowerCase(),
    resourceGroup,
    name,
    location,
    targetResourceGroups,
    features,
    dryRun: values['dry-run'] === true,
  };
  if (values['storage-account'] !== undefined) {
    const storage = values['storage-account'].trim();
    if (!STORAGE_NAME.test(storage))
      throw new DeployUsageError(
        `--storage-account: '${storage}' is not a storage account name (3-24 lowercase letters and digits)`,
      );
    options.storageAccountName = storage;
  }
  if (values.package !== undefined) options.packagePath = values.package;
  return options;
}
