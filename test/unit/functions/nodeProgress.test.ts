import { applyNodeProgress } from '../../../src/functions/shared/nodeProgress';

describe('applyNodeProgress', () => {
  it('counts each node once per run and ignores signals of older runs', () => {
    let state = applyNodeProgress(undefined, { op: 'start', input: { runId: 'r2' } });
    state = applyNodeProgress(state, { op: 'nodeReady', input: { runId: 'r2', zone: '1', node: 'a' } });
    state = applyNodeProgress(state, { op: 'nodeReady', input: { runId: 'r2', zone: '1', node: 'a' } });
    state = applyNodeProgress(state, { op: 'nodeReady', input: { runId: 'r2', zone: '2', node: 'b' } });
    state = applyNodeProgress(state, { op: 'nodeReady', input: { runId: 'r1', zone: '1', node: 'old' } });
    expect(state).toEqual({ runId: 'r2', ready: { '1': ['a'], '2': ['b'] } });
    expect(applyNodeProgress(state, { op: 'start', input: { runId: 'r3' } })).toEqual({
      runId: 'r3',
      ready: {},
    });
  });
});
