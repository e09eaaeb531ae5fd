import * as fs from 'node:fs';
import * as path from 'node:path';

import { REPLAY_FOLLOWS_DURABLE_FUNCTIONS } from '../../src/durable/replayActions';

/** The installed durable-functions version, read from its own package.json. */
function installedVersion(): string {
  let dir = path.dirname(require.resolve('durable-functions'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

test('replayActions follows the installed durable-functions version', () => {
  const installed = installedVersion();
  if (installed !== REPLAY_FOLLOWS_DURABLE_FUNCTIONS) {
    throw new Error(
      `durable-functions ${installed} is installed, but src/durable/replayActions.ts reproduces the task ` +
        `numbering of ${REPLAY_FOLLOWS_DURABLE_FUNCTIONS}. Re-check against the new version's ` +
        'TaskOrchestrationExecutor (how ids are handed out as tasks are tracked), RetryableTask (ids taken ' +
        'by retry timers and attempts), WhenAllTask/WhenAnyTask and the action shapes, re-record the ' +
        'histories (npm run record:replay -w packages/functions-host), then update the constant and the ' +
        'exact pin in package.json.',
    );
  }
  expect(installed).toBe(REPLAY_FOLLOWS_DURABLE_FUNCTIONS);
});

test('package.json pins durable-functions to exactly that version', () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  expect(pkg.devDependencies['durable-functions']).toBe(REPLAY_FOLLOWS_DURABLE_FUNCTIONS);
});
