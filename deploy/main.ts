/**
 * `npm run deploy -- --subscription S --resource-group RG --name APP --location L [--target-rg T]...
 * [--dry-run]`: creates or updates the Function App and everything around it (see plan.ts), then
 * uploads the app's package (`npm run package`). Exit codes: 0 done, 1 failed, 2 bad usage.
 *
 * ARM is reached with the app's own settings (src/resources/clients.ts): `ARM_ENDPOINT` (default
 * Azure; `emulator` for the local ARM emulator), `ARM_CA_CERT_FILE`, `ARM_CREDENTIAL` (`default` =
 * DefaultAzureCredential, e.g. `az login`; `static` for the emulator).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type * as AppServiceSdk from '@azure/arm-appservice';
import type * as AuthorizationSdk from '@azure/arm-authorization';
import type * as ResourcesSdk from '@azure/arm-resources';
import type * as IdentitySdk from '@azure/identity';

import { readZip } from '../scripts/package/zip';
import {
  ARM_SCOPE,
  armClientOptions,
  ArmSettingsError,
  armSettingsFromEnv,
  staticTokenCredential,
} from '../src/resources/clients';
import { AggregateDeployError, type DeployClients, PlanApplier } from './apply';
import { DEPLOY_USAGE, type DeployOptions, DeployUsageError, parseDeployArgs } from './options';
import { type DeploymentPlan, describePlan, type JsonObject, planDeployment } from './plan';
import { publishPackage, scmBaseUrl, scmHostOf, sha256 } from './scm';

export interface DeployIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

/** The site tag holding the SHA-256 of the package last uploaded: an unchanged package is not uploaded again. */
export const PACKAGE_TAG = 'clusterProvisioner.packageSha256';
// Compiled to dist/deploy, or run from its source (tests).
const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
export const DEFAULT_PACKAGE = path.join(ROOT, 'dist', 'package', 'app.zip');

/** Files that must never ship: local secrets, tests, tooling. */
const FORBIDDEN_IN_PACKAGE =
  /(^|\/)(local\.settings\.json|\.env)$|^(test|tests|bench|packages|scripts|deploy|infra)\//;

/** Reads and checks the package before anything is written. */
function loadPackage(file: string): Buffer {
  if (!fs.existsSync(file))
    throw new DeployUsageError(`--package: no package at ${file}; run \`npm run package\` first`);
  const names = readZip(file).map((e) => e.name);
  for (const required of ['host.json', 'package.json'])
    if (!names.includes(required))
      throw new DeployUsageError(`--package: ${file} has no ${required} at its root`);
  const forbidden = names.filter((n) => FORBIDDEN_IN_PACKAGE.test(n));
  if (forbidden.length > 0)
    throw new DeployUsageError(
      `--package: ${file} holds files that must not ship: ${forbidden.slice(0, 5).join(', ')}`,
    );
  return fs.readFileSync(file);
}

function clientsFor(
  options: DeployOptions,
  env: DeployIo['env'],
): { clients: DeployClients; endpoint: string; caCertPem?: string } {
  const settings = armSettingsFromEnv({ ...env, AZURE_SUBSCRIPTION_ID: options.subscriptionId });
  const credential =
    settings.credential === 'static'
      ? staticTokenCredential(settings.staticToken)
      : // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when deploying to Azure
        new (require('@azure/identity') as typeof IdentitySdk).DefaultAzureCredential();
  const clientOptions = { ...armClientOptions(settings), credentialScopes: [ARM_SCOPE] };
  /* eslint-disable @typescript-eslint/no-require-imports -- dev-side SDKs, loaded when applying */
  const { ResourceManagementClient } = require('@azure/arm-resources') as typeof ResourcesSdk;
  const { WebSiteManagementClient } = require('@azure/arm-appservice') as typeof AppServiceSdk;
  const { AuthorizationManagementClient } = require('@azure/arm-authorization') as typeof AuthorizationSdk;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const web = new WebSiteManagementClient(credential, options.subscriptionId, clientOptions);
  const auth = new AuthorizationManagementClient(credential, options.subscriptionId, clientOptions);
  return {
    clients: {
      resources: new ResourceManagementClient(credential, options.subscriptionId, clientOptions),
      webApps: web.webApps,
      roleAssignments: auth.roleAssignments,
      credential,
      pollIntervalMs: settings.pollIntervalMs,
      principalRetryDelaysMs: [5_000, 10_000, 20_000, 30_000],
    },
    endpoint: settings.endpoint,
    ...(settings.caCertPem !== undefined ? { caCertPem: settings.caCertPem } : {}),
  };
}

/** `DEPLOY_UPLOAD_RETRY_MS`: the first wait before re-sending a refused upload (then doubled, five times in all). */
function uploadRetryDelays(env: DeployIo['env']): number[] {
  const raw = env['DEPLOY_UPLOAD_RETRY_MS']?.trim();
  const first = raw === undefined || raw === '' ? 15_000 : Number(raw);
  if (!Number.isSafeInteger(first) || first < 0)
    throw new ArmSettingsError(
      'DEPLOY_UPLOAD_RETRY_MS',
      `must be a non-negative integer, got '${raw ?? ''}'`,
    );
  return [1, 2, 4, 4, 4].map((f) => f * first);
}

function mask(key: string): string {
  return `${key.length} characters, not shown`;
}

async function apply(plan: DeploymentPlan, options: DeployOptions, io: DeployIo): Promise<number> {
  const zip = loadPackage(options.packagePath ?? DEFAULT_PACKAGE);
  const retryDelays = uploadRetryDelays(io.env);
  const { clients, endpoint, caCertPem } = clientsFor(options, io.env);

  // The target groups must exist: checked before anything is written.
  const missing: string[] = [];
  for (const rg of options.targetResourceGroups) {
    if (rg.toLowerCase() === options.resourceGroup.toLowerCase()) continue;
    const found = await clients.resources.resourceGroups.checkExistence(rg);
    if (!found.body) missing.push(rg);
  }
  if (missing.length > 0)
    throw new DeployUsageError(
      `--target-rg: ${missing.map((m) => `'${m}'`).join(', ')} not found in subscription ${options.subscriptionId}; create ${missing.length === 1 ? 'it' : 'them'} first`,
    );

  io.stdout(
    `Deploying ${plan.functionApp.name} to ${plan.resourceGroup} (${plan.location}), subscription ${plan.subscriptionId}\n`,
  );
  const applier = new PlanApplier(plan, clients, (line) => io.stdout(`${line}\n`));
  const digest = sha256(zip);
  const report = await applier.run(async (site: JsonObject) => {
    const tags = (site['tags'] ?? {}) as Record<string, string>;
    if (tags[PACKAGE_TAG] === digest) {
      io.stdout(`  = package unchanged (sha256 ${digest.slice(0, 12)}…), not uploaded\n`);
      return false;
    }
    const host = scmHostOf(site, plan.functionApp.name);
    io.stdout(
      `  ↑ uploading the package (${(zip.length / 1024 / 1024).toFixed(1)} MiB) to ${host}/api/publish\n`,
    );
    const id = await publishPackage(
      {
        baseUrl: scmBaseUrl(endpoint, host),
        credential: clients.credential,
        scope: ARM_SCOPE,
        ...(caCertPem !== undefined ? { caCertPem } : {}),
        pollIntervalMs: Math.min(clients.pollIntervalMs, 2_000),
        timeoutMs: 10 * 60_000,
        storageRetryDelaysMs: retryDelays,
        onRetry: (message) => io.stdout(`    ${message}\n`),
      },
      zip,
    );
    await clients.resources.resources.updateById(
      plan.functionApp.id.slice(1),
      plan.resources.find((r) => r.type === 'Microsoft.Web/sites')?.apiVersion ?? '',
      { tags: { ...tags, [PACKAGE_TAG]: digest } },
      { updateIntervalInMs: clients.pollIntervalMs },
    );
    io.stdout(`  + uploaded   deployment ${id} (sha256 ${digest.slice(0, 12)}…)\n`);
    return true;
  });

  const { created, updated, unchanged } = report.counts;
  io.stdout(
    `\n${created} created, ${updated} updated, ${unchanged} unchanged; package ${report.packageUploaded ? 'uploaded' : 'unchanged'}; ${report.writes} writes.\n`,
  );
  io.stdout(`\nAPI: ${report.apiUrl}  (e.g. ${report.apiUrl}/clusters)\n`);
  try {
    const keys = await clients.webApps.listHostKeys(options.resourceGroup, options.name);
    const key = keys.functionKeys?.['default'];
    io.stdout(
      key ? `Function key 'default': ready (${mask(key)}).\n` : `No function key named 'default' yet.\n`,
    );
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'Error';
    io.stdout(`Function keys are not readable yet (${code}); the host answers once it has started.\n`);
  }
  io.stdout(
    `Get the key: az functionapp keys list -g ${options.resourceGroup} -n ${options.name} --query functionKeys.default -o tsv\n` +
      `  (or POST ${plan.functionApp.id}/host/default/listKeys?api-version=2024-11-01) and send it as the x-functions-key header.\n`,
  );
  return 0;
}

export async function runDeploy(args: string[], io: DeployIo): Promise<number> {
  let options;
  try {
    options = parseDeployArgs(args);
  } catch (err) {
    if (!(err instanceof DeployUsageError)) throw err;
    io.stderr(`${err.message}\nusage: ${DEPLOY_USAGE}\n`);
    return 2;
  }
  const plan = planDeployment(options);
  if (options.dryRun) {
    io.stdout(describePlan(plan));
    io.stdout('Dry run: nothing was created.\n');
    return 0;
  }
  try {
    return await apply(plan, options, io);
  } catch (err) {
    if (err instanceof DeployUsageError || err instanceof ArmSettingsError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    if (err instanceof AggregateDeployError) {
      io.stderr(`deploy failed:\n${err.failures.map((f) => `  ${f.message}`).join('\n')}\n`);
      io.stderr('Nothing after the failed resources was written; run the same command again once fixed.\n');
      return 1;
    }
    io.stderr(`deploy failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  runDeploy(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`deploy failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
