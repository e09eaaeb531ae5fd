#!/usr/bin/env node
/**
 * Command line: `npm run cli -- <command>` or `npx azure-cluster-provisioner <command>`.
 * Exit codes: 0 done, 1 the operation failed or was refused, 2 bad usage or an invalid spec.
 *
 * It talks to the HTTP API like any client (`--url`/PROVISIONER_URL, `--key`/PROVISIONER_KEY; by default
 * the local host on LOCAL_HOST_PORT or 7071 with the key in .local/host/keys.json), so the same commands
 * work against a Function App on Azure. The Functions app never loads this module or its libraries.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import type * as ScaleEvent from '../events/scaleEventCommand';
import { ApiClient, type ConnectionOptions, resolveConnection } from './apiClient';
import {
  applyCommand,
  deleteCommand,
  listCommand,
  type OutputOptions,
  scaleCommand,
  statusCommand,
} from './commands';
import { CliFailure, type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, UsageError } from './io';
import type * as Plan from './plan';

interface GlobalOptions extends ConnectionOptions {
  json?: boolean;
  interval?: number;
  timeout?: number;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number of seconds');
  return Math.round(n * 1000);
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('azure-cluster-provisioner')
    .description('Provision Kubernetes clusters on Azure (IaaS; AKS planned) and follow them.')
    .usage('<command> [options]')
    .addOption(
      new Option(
        '--url <url>',
        'base URL of the Function App (env PROVISIONER_URL; default http://localhost:7071)',
      ),
    )
    .addOption(
      new Option(
        '--key <key>',
        "function key (env PROVISIONER_KEY; default: the local host's .local/host/keys.json)",
      ),
    )
    .option('--json', 'machine output: JSON on stdout, no progress')
    .addOption(
      new Option('--interval <seconds>', 'poll interval while following').argParser(milliseconds).hideHelp(),
    )
    .addOption(
      new Option('--timeout <seconds>', 'stop following after this long (the operation goes on)').argParser(
        milliseconds,
      ),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 the operation failed or was refused, 2 bad usage or an invalid spec.\n' +
        'Examples:\n  npm run cli -- apply examples/iaas-cluster.yaml\n  npm run cli -- status demo --watch\n',
    );

  const client = () => new ApiClient(resolveConnection(program.opts<GlobalOptions>(), io));
  const output = (): OutputOptions => {
    const o = program.opts<GlobalOptions>();
    return {
      ...(o.json ? { json: true } : {}),
      ...(o.interval !== undefined ? { interval: o.interval } : {}),
      ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
    };
  };

  program
    .command('plan')
    .description(
      'validate a spec and print its plan (every ARM resource, dependencies, body) as JSON; offline',
    )
    .argument('<spec>', 'spec file (YAML or JSON), or - for standard input')
    .option(
      '--subscription <id>',
      'subscription id for the ARM ids (default AZURE_SUBSCRIPTION_ID, else all zeros)',
    )
    .action((spec: string, options: { subscription?: string }) => {
      // The planner (zod, region tables) loads only for this offline command.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { planCommand } = require('./plan') as typeof Plan;
      setExit(planCommand(spec, options, io));
    });

  program
    .command('apply')
    .description(
      'create or update a cluster from a spec, then follow it until done (exit 0 provisioned, 1 failed)',
    )
    .argument('<spec>', 'spec file (YAML or JSON), or - for standard input')
    .action(async (spec: string) => setExit(await applyCommand(spec, output(), client(), io)));

  program
    .command('status')
    .description('where a cluster stands: phase, resources, nodes per zone, API endpoint, failure')
    .argument('<name>', 'cluster name')
    .option('-w, --watch', 'follow until the running operation ends (exit 0 succeeded, 1 failed)')
    .action(async (name: string, options: { watch?: boolean }) =>
      setExit(await statusCommand(name, { ...output(), ...options }, client(), io)),
    );

  program
    .command('list')
    .description('every cluster with its phase')
    .action(async () => setExit(await listCommand(output(), client(), io)));

  program
    .command('delete')
    .description('delete what a cluster created (the resource group and anything you brought stay)')
    .argument('<name>', 'cluster name')
    .option('--wait', 'follow the deletion until done')
    .action(async (name: string, options: { wait?: boolean }) =>
      setExit(await deleteCommand(name, { ...output(), ...options }, client(), io)),
    );

  program
    .command('scale')
    .description('set the node count of a node pool (needs a server with elastic capacity)')
    .argument('<name>', 'cluster name')
    .argument('<pool>', 'node pool name')
    .argument('<count>', 'node count')
    .option('--wait', 'follow the cluster until the change is done')
    .action(async (name: string, pool: string, count: string, options: { wait?: boolean }) =>
      setExit(await scaleCommand(name, pool, count, { ...output(), ...options }, client(), io)),
    );

  const publishEvent = async (args: string[]): Promise<void> => {
    // @azure/eventgrid loads only for this command.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const scaleEvent = require('../events/scaleEventCommand') as typeof ScaleEvent;
    let plan;
    try {
      plan = scaleEvent.parseScaleEventArgs(args, io.env);
    } catch (err) {
      if (err instanceof scaleEvent.ScaleEventUsageError) {
        io.stderr(`${err.message}\nusage: ${scaleEvent.SCALE_EVENT_USAGE}\n`);
        setExit(EXIT_USAGE);
        return;
      }
      throw err;
    }
    io.stdout(await scaleEvent.runScaleEvent(plan));
    setExit(EXIT_OK);
  };

  program
    .command('events')
    .description('node-scaling events')
    .command('publish')
    .description(
      'publish a DemandReported (--required) or ScaleRequested (--delta) event with @azure/eventgrid, to a topic ' +
        "(--endpoint/--key or EVENTGRID_SCALING_TOPIC_*) or the local host's Event Grid webhook",
    )
    .argument('<args...>', '<cluster> <pool> (--required <n> | --delta=<n>) [options]; see docs/scaling.md')
    .allowUnknownOption()
    .helpOption(false)
    .action((args: string[]) => publishEvent(args));

  program
    .command('scale-event')
    .description('same as `events publish`')
    .argument('<args...>')
    .allowUnknownOption()
    .helpOption(false)
    .action((args: string[]) => publishEvent(args));

  return program;
}

/** Runs one command line; returns the exit code. Never throws, never prints a stack. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; every other parse error is bad usage.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliFailure) {
      io.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  // exitCode rather than exit(): let stdout drain (plans can be large) before the process ends.
  void runCli(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
