import type { EngineLogger } from './durable/contract';

/** Structured logger: one JSON object per line. Compatible with the durable engine's logger. */
export type HostLogger = EngineLogger;

export type LogLevel = 'info' | 'warn' | 'error';

/** Writes `{ time, level, msg, ...fields }` JSON lines to a stream (stdout by default). */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): HostLogger {
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

/** A logger that drops everything (tests that only check behaviour). */
export const silentLogger: HostLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
