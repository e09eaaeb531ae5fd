import { loggableError } from '../../src/core';

describe('loggableError', () => {
  it("logs a failed orchestrator's own error, not the state (and inputs) the SDK embeds", () => {
    const state = {
      isDone: true,
      actions: [[{ input: { secret: 'x'.repeat(10_000) } }]],
      error: 'ARM error QuotaExceeded on vm-1',
    };
    const err = new Error(`false\n\n$OutOfProcData$:${JSON.stringify(state)}`);
    expect(loggableError(err)).toBe('ARM error QuotaExceeded on vm-1');
  });

  it('keeps the text before the marker when the state cannot be read, and bounds every message', () => {
    expect(loggableError(new Error('boom $OutOfProcData$:{not json'))).toBe('boom');
    const long = loggableError(new Error('y'.repeat(5_000)));
    expect(long.length).toBeLessThan(1_100);
    expect(long).toMatch(/truncated\)$/);
    expect(loggableError('plain')).toBe('plain');
  });
});
