/**
 * `$OutOfProcData$`: when an orchestrator throws, the durable-functions wrapper rethrows an error whose
 * message is `<orchestratorReturned> $OutOfProcData$:<the whole OrchestratorState as JSON>`. This is the one
 * place that takes such a message apart (the engine wants the state, the host's log wants the message).
 */
import { type OrchestratorState } from './historyEvents';

export const OUT_OF_PROC_LABEL = '$OutOfProcData$:';

/** The user's error message and the embedded orchestrator state (undefined when absent or unreadable). */
export function splitOutOfProcError(text: string): { message: string; state: OrchestratorState | undefined } {
  const at = text.indexOf(OUT_OF_PROC_LABEL);
  if (at < 0) return { message: text, state: undefined };
  let state: OrchestratorState | undefined;
  try {
    state = JSON.parse(text.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState;
  } catch {
    state = undefined;
  }
  // The wrapper puts `orchestratorReturned` (a boolean) before the label, so the real message is state.error.
  const message =
    typeof state?.error === 'string' && state.error !== '' ? state.error : text.slice(0, at).trim();
  return { message, state };
}
