/**
 * replayActions against histories recorded from the real durable-functions wrapper (test/replay/histories,
 * written by test/replay/recordHistories.record.ts from the durable fixture app). Each recorded episode is
 * the history the wrapper replayed and the actions it returned; replaying it must give every task the id
 * under which the history recorded it (the ids the wrapper matched its completions against), schedule the
 * right work, and agree with the history on what was scheduled before.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { checkDeterminism, SCHEDULING_EVENTS } from '../../src/durable/checkDeterminism';
import { NonDeterminismError } from '../../src/durable/errors';
import { EventType, type HistoryEvent } from '../../src/durable/historyEvents';
import {
  REPLAY_FOLLOWS_DURABLE_FUNCTIONS,
  replayActions,
  type ScheduledTask,
} from '../../src/durable/replayActions';
import { type RecordedEpisode, type RecordedScenario } from '../replay/recordedScenario';

const HISTORIES = path.resolve(__dirname, '../replay/histories');

function load(name: string): RecordedScenario {
  return JSON.parse(fs.readFileSync(path.join(HISTORIES, `${name}.json`), 'utf8')) as RecordedScenario;
}

const ALL = fs
  .readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => load(path.basename(f, '.json')));

/** A task as a short line: `id kind name`. */
function line(task: ScheduledTask): string {
  switch (task.kind) {
    case 'activity':
    case 'subOrchestration':
      return `${task.id} ${task.kind} ${task.name}`;
    case 'timer':
    case 'retryTimer':
      return `${task.id} ${task.kind}`;
    case 'entityCall':
    case 'entitySignal':
      return `${task.id} ${task.kind} ${task.entityId} ${task.operation}`;
  }
}

/** The same line for a scheduling event of the history (a timer's kind is not recorded: `timer*`). */
function eventLine(event: HistoryEvent): string {
  switch (event.EventType) {
    case EventType.TaskScheduled:
      return `${event.EventId} activity ${event.Name ?? ''}`;
    case EventType.SubOrchestrationInstanceCreated:
      return `${event.EventId} subOrchestration ${event.Name ?? ''}`;
    case EventType.TimerCreated:
      return `${event.EventId} timer*`;
    default: {
      const request = JSON.parse(event.Input ?? '{}') as { signal?: boolean };
      const kind = request.signal ? 'entitySignal' : 'entityCall';
      return `${event.EventId} ${kind} ${event.InstanceId ?? ''} ${event.Name ?? ''}`;
    }
  }
}

function scheduledIn(history: HistoryEvent[]): string[] {
  return history.filter((e) => SCHEDULING_EVENTS.has(e.EventType)).map(eventLine);
}

function comparable(tasks: ScheduledTask[]): string[] {
  return tasks.map((t) => line(t).replace(/ (timer|retryTimer)$/, ' timer*'));
}

/** The played part of an episode's history (what was there before this episode). */
function played(episode: RecordedEpisode): HistoryEvent[] {
  return episode.history.filter((e) => e.IsPlayed);
}

/** The episode after `index` of the same execution: its history continues this one's. */
function nextOf(episodes: RecordedEpisode[], index: number): RecordedEpisode | undefined {
  const current = episodes[index]!;
  const key = (e: HistoryEvent): string => `${e.EventType}|${e.EventId}|${e.Timestamp}`;
  return episodes
    .slice(index + 1)
    .find(
      (e) =>
        e.orchestrator === current.orchestrator &&
        e.history.length > current.history.length &&
        current.history.every((event, i) => key(event) === key(e.history[i]!)),
    );
}

function lastEpisodeOf(scenario: RecordedScenario, orchestrator = scenario.orchestrator): RecordedEpisode {
  const episodes = scenario.episodes.filter((e) => e.orchestrator === orchestrator);
  return episodes.at(-1)!;
}

test('the histories were recorded with the durable-functions version replayActions follows', () => {
  expect(ALL.length).toBeGreaterThanOrEqual(12);
  for (const scenario of ALL) expect(scenario.durableFunctions).toBe(REPLAY_FOLLOWS_DURABLE_FUNCTIONS);
});

describe.each(ALL.filter((s) => s.scenario !== 'non-determinism'))('$scenario', (scenario) => {
  test('every episode replays to the task ids the history recorded, and agrees with the past', () => {
    scenario.episodes.forEach((episode, index) => {
      const result = replayActions(episode.actions, episode.history);
      expect(() => checkDeterminism(result.scheduled, played(episode))).not.toThrow();
      // Tasks scheduled before this episode keep their recorded ids.
      const before = scheduledIn(played(episode));
      expect(comparable(result.scheduled).slice(0, before.length)).toEqual(before);
      // What this episode scheduled anew is exactly what the next episode's history holds.
      const next = nextOf(scenario.episodes, index);
      if (next !== undefined && !episode.isDone) {
        expect(comparable(result.scheduled)).toEqual(scheduledIn(next.history));
      }
    });
  });
});

test('activity sequence: one activity per episode, ids 0, 1, 2', () => {
  const last = lastEpisodeOf(load('activity-sequence'));
  expect(replayActions(last.actions, last.history).scheduled.map(line)).toEqual([
    '0 activity sayHello',
    '1 activity sayHello',
    '2 activity sayHello',
  ]);
});

test('fan-out/fan-in: the activities of Task.all take consecutive ids in yield order', () => {
  const first = load('fan-out-fan-in').episodes[0]!;
  const result = replayActions(first.actions, first.history);
  expect(result.scheduled.map(line)).toEqual([
    '0 activity double',
    '1 activity double',
    '2 activity double',
    '3 activity double',
  ]);
  expect(result.scheduled.map((t) => (t.kind === 'activity' ? t.input : undefined))).toEqual([0, 1, 2, 3]);
});

test('retry: each failure takes an id for its retry timer, each attempt the next one', () => {
  const last = lastEpisodeOf(load('retry-with-timers'));
  const result = replayActions(last.actions, last.history);
  expect(result.scheduled.map(line)).toEqual([
    '0 activity flaky',
    '1 retryTimer',
    '2 activity flaky',
    '3 retryTimer',
    '4 activity flaky',
  ]);
  // Backoff: 20 ms, then 40 ms (coefficient 2, capped at 60 ms).
  expect(result.scheduled.flatMap((t) => (t.kind === 'retryTimer' ? [t.delayMs] : []))).toEqual([20, 40]);
});

test('retry inside Task.all: retry timers and attempts interleave with history, then the next task', () => {
  const last = lastEpisodeOf(load('retry-inside-task-all'));
  expect(replayActions(last.actions, last.history).scheduled.map(line)).toEqual([
    '0 activity flaky',
    '1 activity double',
    '2 activity flaky',
    '3 retryTimer',
    '4 retryTimer',
    '5 activity flaky',
    '6 activity flaky',
    '7 retryTimer',
    '8 activity flaky',
    '9 activity sayHello',
  ]);
});

test('exhausted retries: the last failure still takes a timer id (RetryableTask fails when it fires)', () => {
  const scenario = load('retry-exhausted');
  const last = lastEpisodeOf(scenario);
  expect(replayActions(last.actions, last.history).scheduled.map(line)).toEqual([
    '0 activity alwaysFails',
    '1 retryTimer',
    '2 activity alwaysFails',
    '3 retryTimer',
    '4 activity alwaysFails',
    '5 retryTimer',
  ]);
  expect(scenario.finalStatus).toBe('Failed');
  expect(last.history.filter((e) => e.EventType === EventType.TimerFired).map((e) => e.TimerId)).toEqual([
    1, 3, 5,
  ]);
});

test('sub-orchestrations: named and generated ids, and a retried child', () => {
  const last = lastEpisodeOf(load('sub-orchestrations'));
  const scheduled = replayActions(last.actions, last.history).scheduled;
  expect(scheduled.map(line)).toEqual([
    '0 subOrchestration child',
    '1 subOrchestration child',
    '2 subOrchestration failingChild',
    '3 retryTimer',
    '4 subOrchestration failingChild',
    '5 retryTimer',
  ]);
  expect(scheduled[1]).toMatchObject({ instanceId: 'record-sub-orchestrations-named' });
  expect(scheduled[0]).toMatchObject({ instanceId: undefined });
});

test('timers: each createTimer is a timer due when the code asked', () => {
  const last = lastEpisodeOf(load('timers'));
  const scheduled = replayActions(last.actions, last.history).scheduled;
  expect(scheduled.map(line)).toEqual(['0 timer', '1 timer']);
  const created = last.history.filter((e) => e.EventType === EventType.TimerCreated);
  expect(scheduled.map((t) => (t.kind === 'timer' ? new Date(t.fireAt).toISOString() : ''))).toEqual(
    created.map((e) => e.FireAt),
  );
});

test('Task.any of an external event and a timer: the timer takes an id, the wait does not', () => {
  for (const name of ['external-event-task-any', 'task-any-timer-wins']) {
    const scenario = load(name);
    const last = lastEpisodeOf(scenario);
    expect(replayActions(last.actions, last.history).scheduled.map(line)).toEqual(['0 timer']);
  }
  expect(load('external-event-task-any').output).toBe('"approved by ada"');
  expect(load('task-any-timer-wins').output).toBe('"timed out"');
});

test('continueAsNew: the input is decoded and events no wait consumed are carried over', () => {
  const scenario = load('continue-as-new-with-buffered-events');
  const carried = scenario.episodes
    .map((e) => replayActions(e.actions, e.history))
    .filter((r) => r.continueAsNew !== undefined);
  expect(carried.length).toBeGreaterThan(0);
  for (const result of carried) expect(result.continueAsNew?.input).toMatchObject({ target: 3 });
  // Three 'add' events arrived at once: the first execution consumes one and carries the rest.
  const firstCarry = carried[0]!;
  expect(firstCarry.unconsumedEvents.map((e) => e.Name)).toEqual(['add', 'add']);
  expect(scenario.output).toBe('3');

  const countTo = load('continue-as-new');
  const inputs = countTo.episodes
    .map((e) => replayActions(e.actions, e.history).continueAsNew?.input)
    .filter((input) => input !== undefined);
  expect(inputs).toEqual([
    { target: 2, current: 1 },
    { target: 2, current: 2 },
  ]);
});

test('entities: a signal and two calls, each with its own id, the signal first', () => {
  const last = lastEpisodeOf(load('entities'));
  expect(replayActions(last.actions, last.history).scheduled.map(line)).toEqual([
    '0 entitySignal @counter@recorded add',
    '1 entityCall @counter@recorded add',
    '2 entityCall @counter@recorded get',
  ]);
  expect(load('entities').output).toBe('15');
});

test('non-determinism: a replay that schedules another activity than the history says is caught', () => {
  const scenario = load('non-determinism');
  const replayed = scenario.episodes[1]!;
  const result = replayActions(replayed.actions, replayed.history);
  expect(result.scheduled.map(line)).toEqual(['0 activity double']);
  expect(() => checkDeterminism(result.scheduled, played(replayed))).toThrow(NonDeterminismError);
  expect(() => checkDeterminism(result.scheduled, played(replayed))).toThrow(
    /task 0 was activity 'sayHello' in the history, but the orchestrator now schedules activity 'double'/,
  );
  expect(scenario.finalStatus).toBe('Failed');
});
