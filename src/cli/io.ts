/** What every CLI command shares: its I/O (so tests and the bin entry differ only here) and exit codes. */
import * as fs from 'node:fs';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a file, or standard input for "-". */
  readFile(path: string): string;
  /** True when standard output is a terminal: live progress instead of plain lines. */
  isTty: boolean;
  /** Terminal width, when a terminal. */
  columns?: number;
  /** The stream live progress draws on (a terminal). */
  progressStream?: NodeJS.WriteStream;
  /** Waits (polling); tests may shorten it. */
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** A usage problem: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure to report to a person as is (no stack): exit code 1 unless given. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readFile: (path) => fs.readFileSync(path === '-' ? 0 : path, 'utf8'),
  isTty: process.stdout.isTTY,
  ...(process.stdout.isTTY ? { columns: process.stdout.columns, progressStream: process.stdout } : {}),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
