/** The shape of a recorded history file in test/replay/histories (written by recordHistories.record.ts). */
import { type HistoryEvent, type RawAction } from '../../src/durable/historyEvents';

export interface RecordedEpisode {
  /** The orchestrator invoked (a scenario with sub-orchestrations records the children's episodes too). */
  orchestrator: string;
  /** The history the wrapper replayed: old events (IsPlayed) followed by this episode's new ones. */
  history: HistoryEvent[];
  /** Every action the code scheduled since the execution started, flattened, in yield order. */
  actions: RawAction[];
  isDone?: boolean;
  /** The orchestrator's own error when the episode threw. */
  error?: string;
}

export interface RecordedScenario {
  scenario: string;
  orchestrator: string;
  durableFunctions: string;
  finalStatus: string;
  output: string | null;
  episodes: RecordedEpisode[];
}
