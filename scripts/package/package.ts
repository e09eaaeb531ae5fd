/**
 * `npm run package`: the deployment artifact, `dist/package/app.zip`, holding the app alone:
 * `host.json`, a `package.json` without dev tooling (no scripts, devDependencies or workspaces), the
 * app compiled fresh from `src` (tsconfig.build.json), and the production `node_modules`: the
 * transitive closure of the root `dependencies`, resolved through package-lock.json the way Node
 * resolves them, copied from the installed node_modules (no network). No emulator, host, bench,
 * scripts or tests. Deploy it with zip deploy (`az functionapp deployment source config-zip`).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { writeZip, type ZipEntry } from './zip';

const ROOT = path.resolve(__dirname, '../../..');
// PACKAGE_OUT_DIR: elsewhere than dist/package (a test that must not race another one's build).
const OUT_DIR = process.env['PACKAGE_OUT_DIR'] ?? path.join(ROOT, 'dist', 'package');

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  link?: boolean;
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  private?: boolean;
  main: string;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
}

/** The lockfile key a package `name` resolves to from the package at `from` ('' = the root). */
function resolveInLock(packages: Record<string, LockEntry>, name: string, from: string): string | undefined {
  for (let dir = from; ;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/** Lockfile keys (`node_modules/a`, `node_modules/a/node_modules/b`) of the production dependencies. */
export function productionClosure(
  packages: Record<string, LockEntry>,
  dependencies: Record<string, string>,
): string[] {
  const seen = new Set<string>();
  const queue = Object.keys(dependencies).map((name) => {
    const found = resolveInLock(packages, name, '');
    if (!found) throw new Error(`dependency "${name}" is not in package-lock.json: run npm install`);
    return found;
  });
  while (queue.length > 0) {
    const key = queue.pop();
    if (key === undefined || seen.has(key)) continue;
    const entry = packages[key];
    if (!entry || entry.link) throw new Error(`"${key}" is a workspace link, not a production package`);
    seen.add(key);
    const needs = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const name of Object.keys(needs)) {
      const found = resolveInLock(packages, name, key);
      if (found) queue.push(found);
      else if (entry.dependencies?.[name] !== undefined) {
        throw new Error(`"${key}" needs "${name}", which package-lock.json does not have`);
      }
    }
  }
  return [...seen].sort();
}

/** Every file under `dir` (its own nested node_modules excluded: those are packages of their own). */
function filesOf(dir: string, prefix: string, out: ZipEntry[]): void {
  for (const item of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, item.name);
    const name = `${prefix}/${item.name}`;
    if (item.isDirectory()) {
      if (item.name !== 'node_modules') filesOf(full, name, out);
    } else if (item.isFile()) {
      out.push({ name, data: fs.readFileSync(full) });
    }
  }
}

function main(): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  const build = path.join(OUT_DIR, 'build');
  // A fresh build of src only: nothing stale from an incremental dist, nothing from bench or tests.
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      build,
      '--tsBuildInfoFile',
      path.join(OUT_DIR, '.tsbuildinfo'),
    ],
    { stdio: 'inherit' },
  );

  const deployed: PackageJson = {
    name: pkg.name,
    version: pkg.version,
    ...(pkg.description !== undefined ? { description: pkg.description } : {}),
    ...(pkg.license !== undefined ? { license: pkg.license } : {}),
    private: true,
    main: pkg.main,
    ...(pkg.engines ? { engines: pkg.engines } : {}),
    dependencies: pkg.dependencies,
  };
  const entries: ZipEntry[] = [
    { name: 'host.json', data: fs.readFileSync(path.join(ROOT, 'host.json')) },
    { name: 'package.json', data: Buffer.from(`${JSON.stringify(deployed, null, 2)}\n`) },
  ];
  filesOf(path.join(build, 'src'), 'dist/src', entries);
  const closure = productionClosure(lock.packages, pkg.dependencies);
  for (const key of closure) filesOf(path.join(ROOT, key), key, entries);

  const zipFile = path.join(OUT_DIR, 'app.zip');
  const written = writeZip(zipFile, entries);
  fs.rmSync(build, { recursive: true, force: true });
  console.log(
    `${path.relative(ROOT, zipFile)}: ${written.entries} files, ${(written.bytes / 1024 / 1024).toFixed(1)} MiB ` +
      `(the app and ${closure.length} production packages)`,
  );
}

if (require.main === module) main();
