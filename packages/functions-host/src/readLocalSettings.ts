import * as fs from 'node:fs';
import * as path from 'node:path';

export class LocalSettingsError extends Error {
  override readonly name = 'LocalSettingsError';
}

export interface LocalSettings {
  /** The file the values came from, or undefined when neither file exists. */
  file: string | undefined;
  values: Record<string, string>;
}

/**
 * App settings like `func start` reads them: `Values` of `<appDir>/local.settings.json`, or of the committed
 * `local.settings.sample.json` when the real file (never committed) does not exist.
 */
export function readLocalSettings(appDir: string): LocalSettings {
  for (const name of ['local.settings.json', 'local.settings.sample.json']) {
    const file = path.join(appDir, name);
    if (!fs.existsSync(file)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new LocalSettingsError(
        `Cannot parse ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const values = (parsed as { Values?: unknown } | null)?.Values ?? {};
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new LocalSettingsError(`${file}: "Values" must be an object of strings.`);
    }
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      if (typeof value === 'object') throw new LocalSettingsError(`${file}: Values.${key} must be a string.`);
      result[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return { file, values: result };
  }
  return { file: undefined, values: {} };
}

/**
 * Settings for the host: file values, each overridden by an environment variable of the same name, so that
 * `ARM_ENDPOINT=https://management.azure.com npm start` needs no file edit.
 */
export function effectiveSettings(
  fileValues: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(fileValues)) result[key] = env[key] ?? value;
  return result;
}

/** The nearest directory at or above `from` that holds a package.json (the project root by default). */
export function findProjectRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new LocalSettingsError(`No package.json found at or above ${from}.`);
    dir = parent;
  }
}
