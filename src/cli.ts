/**
 * Command line: `npm run cli -- <command> [args]`.
 *
 * Commands live in one table; to add one (start, apply, status, scale), write a CliCommand and add
 * it to `commands`. Exit codes: 0 success, 1 the operation failed, 2 bad usage or bad input.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

import { planCluster } from './cluster/plan/planCluster';
import { parseClusterSpec } from './cluster/validate';
import * as scaleEvent from './events/scaleEventCommand';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const ZERO_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a file, or standard input for "-". */
  readFile(path: string): string;
}

export interface CliCommand {
  name: string;
  /** One line: arguments and options. */
  usage: string;
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A usage problem: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const planCommand: CliCommand = {
  name: 'plan',
  usage: 'plan <spec.yaml|spec.json|-> [--subscription <id>]',
  summary:
    'Validate a cluster spec and print the provisioning plan (every ARM resource, its dependencies and body) as JSON. ' +
    'The subscription defaults to AZURE_SUBSCRIPTION_ID, else the all-zero GUID.',
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { subscription: { type: 'string' } });
    const [file, ...extra] = positionals;
    if (file === undefined)
      throw new UsageError('plan needs a spec file (YAML or JSON), or - for standard input');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);

    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      io.stderr(`cannot read spec file "${file}": ${describeFsError(error)}\n`);
      return Promise.resolve(EXIT_USAGE);
    }
    const parsed = parseClusterSpec(text);
    if (!parsed.ok) {
      // One JSON object per line, so scripts can stream or grep them.
      for (const error of parsed.errors) io.stderr(`${JSON.stringify(error)}\n`);
      return Promise.resolve(EXIT_USAGE);
    }
    const subscriptionId =
      (typeof values.subscription === 'string' ? values.subscription : undefined) ??
      nonEmpty(io.env.AZURE_SUBSCRIPTION_ID) ??
      ZERO_SUBSCRIPTION_ID;
    if (!/^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/.test(subscriptionId)) {
      throw new UsageError(`the subscription id must be a GUID (got "${subscriptionId}")`);
    }
    io.stdout(`${JSON.stringify(planCluster(parsed.spec, { subscriptionId }), null, 2)}\n`);
    return Promise.resolve(EXIT_OK);
  },
};

const helpCommand: CliCommand = {
  name: 'help',
  usage: 'help [command]',
  summary: 'Show the commands, or one command in detail.',
  run(args, io) {
    const [name] = args;
    const command = name === undefined ? undefined : findCommand(name);
    if (name !== undefined && command === undefined) throw new UsageError(`unknown command "${name}"`);
    io.stdout(command ? describe(command) : overview());
    return Promise.resolve(EXIT_OK);
  },
};

const scaleEventCommand: CliCommand = {
  name: 'scale-event',
  usage: scaleEvent.SCALE_EVENT_USAGE,
  summary: scaleEvent.SCALE_EVENT_SUMMARY,
  async run(args, io) {
    let plan;
    try {
      plan = scaleEvent.parseScaleEventArgs(args, io.env);
    } catch (err) {
      if (err instanceof scaleEvent.ScaleEventUsageError) throw new UsageError(err.message);
      throw err;
    }
    io.stdout(await scaleEvent.runScaleEvent(plan));
    return EXIT_OK;
  },
};

/** Every command, in the order `help` lists them. */
export const commands: readonly CliCommand[] = [planCommand, scaleEventCommand, helpCommand];

function findCommand(name: string): CliCommand | undefined {
  return commands.find((command) => command.name === name);
}

function overview(): string {
  const width = Math.max(...commands.map((command) => command.usage.length));
  return [
    'azure-cluster-provisioner — provision Kubernetes clusters on Azure (IaaS and AKS)',
    '',
    'Usage: npm run cli -- <command> [arguments]',
    '',
    'Commands:',
    ...commands.map(
      (command) => `  ${command.usage.padEnd(width)}  ${command.summary.split('. ')[0]?.replace(/\.$/, '')}`,
    ),
    '',
    'Run "help <command>" for details. Exit codes: 0 ok, 1 failed, 2 bad usage or invalid spec.',
    '',
  ].join('\n');
}

function describe(command: CliCommand): string {
  return `Usage: npm run cli -- ${command.usage}\n\n${command.summary}\n`;
}

function parseCommandArgs(args: string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr(`unknown command "${name}"\n\n${overview()}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(describe(command));
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n\n${describe(command)}`);
      return EXIT_USAGE;
    }
    io.stderr(`${command.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readFile: (path) => fs.readFileSync(path === '-' ? 0 : path, 'utf8'),
};

if (require.main === module) {
  // exitCode rather than exit(): let stdout drain (plans can be large) before the process ends.
  void runCli(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
