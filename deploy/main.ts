/**
 * `npm run deploy -- --subscription S --resource-group RG --name APP --location L [--target-rg T]...
 * [--dry-run]`: creates or updates the Function App and everything around it (see plan.ts), then
 * uploads the app's package. Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { DEPLOY_USAGE, DeployUsageError, parseDeployArgs } from './options';
import { describePlan, planDeployment } from './plan';

export interface DeployIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
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
    return Promise.resolve(0);
  }
  io.stderr('Applying the deployment is not available yet; use --dry-run.\n');
  return Promise.resolve(1);
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
