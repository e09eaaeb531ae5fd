import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { readZip } from '../../scripts/package/zip';

const ROOT = path.join(__dirname, '../..');

/** Every `require("…")` literal of a compiled module, the lazy ones inside functions included. */
function requiresOf(source: string): string[] {
  return [...source.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? '');
}

describe('npm run package', () => {
  let entries: { name: string; data: Buffer }[];
  let dir: string;

  beforeAll(() => {
    // The script itself (tsconfig.local.json builds it; the jest global setup already did).
    execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/package/package.js')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    entries = readZip(path.join(ROOT, 'dist/package/app.zip'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
    for (const e of entries) {
      const file = path.join(dir, e.name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, e.data);
    }
  }, 300_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds the app alone: no emulator, host, bench, scripts, tests or dev tools', () => {
    const names = entries.map((e) => e.name);
    expect(names).toContain('host.json');
    expect(names).toContain('package.json');
    expect(names).toContain('dist/src/index.js');
    expect(names).toContain('dist/src/functions/clusters.js');
    const topLevel = new Set(names.map((n) => n.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['dist', 'host.json', 'node_modules', 'package.json']);
    const app = names.filter((n) => n.startsWith('dist/'));
    expect(app.filter((n) => !n.startsWith('dist/src/'))).toEqual([]);
    expect(app.filter((n) => /\.test\.|[\\/](local|test|bench|scripts)[\\/]/.test(n))).toEqual([]);
    const packages = new Set(
      names
        .filter((n) => n.startsWith('node_modules/'))
        .map((n) => {
          const parts = n.split('/');
          return parts[1]?.startsWith('@') ? `${parts[1]}/${parts[2]}` : (parts[1] ?? '');
        }),
    );
    for (const dev of [
      '@azure-cluster-provisioner/arm-emulator',
      '@azure-cluster-provisioner/functions-host',
      'selfsigned',
      'jest',
      'typescript',
      'eslint',
      'node',
      'fast-check',
      '@swc/core',
    ]) {
      expect(packages).not.toContain(dev);
    }
    for (const prod of ['@azure/functions', 'durable-functions', '@azure/arm-network', 'zod']) {
      expect(packages).toContain(prod);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).not.toHaveProperty('devDependencies');
    expect(pkg).not.toHaveProperty('workspaces');
    expect(pkg).not.toHaveProperty('scripts');
    expect(pkg['main']).toBe('dist/src/{index.js,functions/*.js}');
  });

  it('loads every function module, and resolves every require of the app, from the packaged dependencies alone', () => {
    const modules = entries.filter((e) => e.name.startsWith('dist/src/') && e.name.endsWith('.js'));
    const bare = new Set<string>();
    for (const m of modules) {
      for (const spec of requiresOf(m.data.toString('utf8'))) {
        if (!spec.startsWith('.') && !spec.startsWith('node:')) bare.add(spec);
      }
    }
    expect(bare).toContain('@azure/arm-network');
    const script = `
      const fs = require('node:fs');
      const path = require('node:path');
      const fnDir = path.join(process.cwd(), 'dist/src/functions');
      require(path.join(process.cwd(), 'dist/src/index.js'));
      for (const f of fs.readdirSync(fnDir).filter((f) => f.endsWith('.js'))) require(path.join(fnDir, f));
      const from = require('node:module').createRequire(path.join(process.cwd(), 'dist/src/index.js'));
      const missing = [];
      for (const spec of ${JSON.stringify([...bare])}) {
        try { const at = from.resolve(spec); if (!at.startsWith(process.cwd())) missing.push(spec + ' -> ' + at); }
        catch (e) { missing.push(spec); }
      }
      process.stdout.write(JSON.stringify({ missing }));
    `;
    const env = { ...process.env };
    delete env['NODE_PATH'];
    const out = spawnSync(process.execPath, ['-e', script], { cwd: dir, env, encoding: 'utf8' });
    expect(out.stderr).not.toMatch(/Cannot find module/);
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ missing: [] });
  });
});
