// Some tests spawn the host's own process (`dist/main.js`), and every test loads the fixture apps the way the
// Functions worker would, from their compiled `main`: build both once before any test file runs.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..');
  const tsc = require.resolve('typescript/bin/tsc');
  for (const args of [
    ['-b', 'tsconfig.build.json'],
    ['-p', 'test/fixtures/tsconfig.json'],
  ]) {
    const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' });
    if (result.error) throw result.error;
  }
}
