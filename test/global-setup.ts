// Integration and e2e tests run the compiled app on the local host, exactly as `npm start` does,
// so build it once before any test file runs. Type errors are reported by `npm run typecheck`
// (the first step of `npm test`); here only the emitted JavaScript is needed.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..');
  const result = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.error) throw result.error;
}
