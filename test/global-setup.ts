// Integration and e2e tests run the compiled app on the local host, exactly as `npm start` does, and some
// spawn `npm start`'s own script or the host's process: build them once before any test file runs. Type
// errors are reported by `npm run typecheck` (the first step of `npm test`); here only the emitted
// JavaScript is needed.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..');
  const tsc = require.resolve('typescript/bin/tsc');
  for (const args of [
    ['-p', 'tsconfig.build.json'],
    ['-b', 'tsconfig.local.json'],
  ]) {
    const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' });
    if (result.error) throw result.error;
  }
}
