/** `plan <spec>`: validate a spec and print its plan, offline (no API call). */
import { planCluster } from '../cluster/plan/planCluster';
import { parseClusterSpec } from '../cluster/validate';
import { type CliIo, describeFsError, EXIT_OK, EXIT_USAGE, nonEmpty, UsageError } from './io';

export const ZERO_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';

export function planCommand(file: string, options: { subscription?: string }, io: CliIo): number {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    io.stderr(`cannot read spec file "${file}": ${describeFsError(error)}\n`);
    return EXIT_USAGE;
  }
  const parsed = parseClusterSpec(text);
  if (!parsed.ok) {
    // One JSON object per line, so scripts can stream or grep them.
    for (const error of parsed.errors) io.stderr(`${JSON.stringify(error)}\n`);
    return EXIT_USAGE;
  }
  const subscriptionId =
    options.subscription ?? nonEmpty(io.env.AZURE_SUBSCRIPTION_ID) ?? ZERO_SUBSCRIPTION_ID;
  if (!/^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/.test(subscriptionId)) {
    throw new UsageError(`the subscription id must be a GUID (got "${subscriptionId}")`);
  }
  io.stdout(`${JSON.stringify(planCluster(parsed.spec, { subscriptionId }), null, 2)}\n`);
  return EXIT_OK;
}
