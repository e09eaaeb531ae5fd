/**
 * Records real orchestration histories for test/unit/replayActions.test.ts: the durable fixture app runs on
 * the engine with the real durable-functions wrappers, and every orchestrator invocation's input history and
 * returned actions are written to test/replay/histories/<scenario>.json. Not part of `npm test`; run it with
 * `npm run record:replay -w packages/functions-host` after re-checking replayActions against a new
 * durable-functions version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type LoadedApp, loadFunctionsApp } from '../../src/core';
import { createDurableInvoker, durableFunctionsOf } from '../../src/createDurableInvoker';
import { DurableEngine } from '../../src/durable/engine';
import { errorMessageOf, type HistoryEvent, type OrchestratorState } from '../../src/durable/historyEvents';
import { splitOutOfProcError } from '../../src/durable/outOfProcData';
import { REPLAY_FOLLOWS_DURABLE_FUNCTIONS } from '../../src/durable/replayActions';
import { DURABLE_APP_DIR } from '../e2e/durableHarness';
import { type RecordedEpisode, type RecordedScenario } from './recordedScenario';

const OUT_DIR = path.join(__dirname, 'histories');

interface Scenario {
  name: string;
  orchestrator: string;
  input?: unknown;
  /** Drives the instance from outside (events) once it started. */
  drive?: (engine: DurableEngine, instanceId: string) => Promise<void>;
}

const SCENARIOS: Scenario[] = [
  { name: 'activity-sequence', orchestrator: 'chain', input: ['Tokyo', 'Seattle', 'London'] },
  { name: 'fan-out-fan-in', orchestrator: 'fanOut', input: 4 },
  { name: 'retry-with-timers', orchestrator: 'retrying', input: 'record-retry' },
  { name: 'retry-inside-task-all', orchestrator: 'retryFanOut' },
  { name: 'retry-exhausted', orchestrator: 'retryExhausted' },
  { name: 'sub-orchestrations', orchestrator: 'parent' },
  { name: 'timers', orchestrator: 'monitor', input: { checks: 2, intervalMs: 10 } },
  {
    name: 'external-event-task-any',
    orchestrator: 'approval',
    input: { timeoutMs: 60000 },
    drive: async (engine, id) => {
      await waitForHistory(engine, id, (h) => h.some((e) => e.EventType === 10));
      engine.raiseEvent(id, 'Approval', '"ada"');
    },
  },
  { name: 'task-any-timer-wins', orchestrator: 'approval', input: { timeoutMs: 10 } },
  {
    name: 'continue-as-new-with-buffered-events',
    orchestrator: 'eventCounter',
    input: { target: 3, count: 0 },
    drive: async (engine, id) => {
      await waitForHistory(engine, id, (h) => h.length > 0);
      for (let i = 0; i < 3; i++) engine.raiseEvent(id, 'add', '1');
    },
  },
  { name: 'continue-as-new', orchestrator: 'countTo', input: { target: 2, current: 0 } },
  { name: 'entities', orchestrator: 'counterOrchestration', input: 'recorded' },
  { name: 'non-determinism', orchestrator: 'nonDeterministic' },
];

async function waitForHistory(
  engine: DurableEngine,
  id: string,
  accept: (history: HistoryEvent[]) => boolean,
): Promise<void> {
  await engine.waitFor(() => accept(engine.getHistory(id)), 20000);
}

let app: LoadedApp;
beforeAll(async () => {
  app = await loadFunctionsApp(DURABLE_APP_DIR);
});
afterAll(async () => {
  await app.terminate();
});

test.each(SCENARIOS)('records $name', async (scenario) => {
  const episodes: RecordedEpisode[] = [];
  const invoke = createDurableInvoker(app);
  const functions = durableFunctionsOf(app);
  const engine = new DurableEngine({
    functions,
    invoke: async (name, triggerInput) => {
      if (functions.get(name) !== 'orchestration') return invoke(name, triggerInput);
      const { history } = triggerInput as { history: HistoryEvent[] };
      try {
        const state = (await invoke(name, triggerInput)) as OrchestratorState;
        episodes.push({ orchestrator: name, history, actions: state.actions.flat(), isDone: state.isDone });
        return state;
      } catch (error) {
        const { message, state } = splitOutOfProcError(errorMessageOf(error));
        episodes.push({ orchestrator: name, history, actions: state?.actions.flat() ?? [], error: message });
        throw error;
      }
    },
    databaseFile: ':memory:',
    taskHubName: 'RecordHub',
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await engine.start();
  try {
    const id = engine.startNew(scenario.orchestrator, {
      instanceId: `record-${scenario.name}`,
      input: scenario.input === undefined ? undefined : JSON.stringify(scenario.input),
    });
    await scenario.drive?.(engine, id);
    await engine.waitFor(() => ['Completed', 'Failed'].includes(engine.getInstance(id)?.status ?? ''), 30000);
    const instance = engine.getInstance(id)!;
    const recorded: RecordedScenario = {
      scenario: scenario.name,
      orchestrator: scenario.orchestrator,
      durableFunctions: REPLAY_FOLLOWS_DURABLE_FUNCTIONS,
      finalStatus: instance.status,
      output: instance.output,
      episodes,
    };
    fs.mkdirSync(OUT_DIR, { recursive: true });
    fs.writeFileSync(path.join(OUT_DIR, `${scenario.name}.json`), `${JSON.stringify(recorded, null, 1)}\n`);
  } finally {
    await engine.stop();
  }
});
