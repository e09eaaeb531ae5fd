/**
 * Read-only instrumentation: how much work the engine did per orchestration instance and per entity, in
 * memory, since the engine started or the counters were last reset. A benchmark divides these by the
 * cluster's node count to show that an orchestrator's work per node stays flat as the cluster grows (a
 * history that grows with the cluster makes every episode replay more, so the cost per node grows too).
 * Nothing here changes what the engine does; the counters are not persisted.
 */

export interface InstanceWork {
  /** Orchestration instance id, or entity id (`@name@key`). */
  id: string;
  /** Orchestrator or entity function name. */
  name: string;
  kind: 'orchestration' | 'entity';
  /** Orchestration episodes that ran the orchestrator, or entity batches. */
  episodes: number;
  /** History events written (orchestrations; 0 for entities). */
  historyEventsAppended: number;
  /**
   * History events handed to the orchestrator, summed over its episodes (each episode replays the whole
   * history so far plus the new events). Entities: operations processed.
   */
  eventsReplayed: number;
  /**
   * Milliseconds in episodes: reading the queued messages and the history, running the function over
   * it (replay + new work), and committing the result.
   */
  ms: number;
}

export class WorkCounters {
  private readonly byId = new Map<string, InstanceWork>();

  /** Adds one episode (or entity batch) to `id`'s counters. */
  record(
    id: string,
    name: string,
    kind: InstanceWork['kind'],
    work: { historyEventsAppended: number; eventsReplayed: number; ms: number },
  ): void {
    const entry = this.byId.get(id) ?? {
      id,
      name,
      kind,
      episodes: 0,
      historyEventsAppended: 0,
      eventsReplayed: 0,
      ms: 0,
    };
    entry.episodes++;
    entry.historyEventsAppended += work.historyEventsAppended;
    entry.eventsReplayed += work.eventsReplayed;
    entry.ms += work.ms;
    this.byId.set(id, entry);
  }

  /** A copy of every instance's counters, in the order the instances first ran. */
  snapshot(): InstanceWork[] {
    return [...this.byId.values()].map((w) => ({ ...w }));
  }

  reset(): void {
    this.byId.clear();
  }
}
