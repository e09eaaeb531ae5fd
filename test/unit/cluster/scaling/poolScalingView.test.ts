import { initialState } from '../../../../src/cluster/scaling/nodePoolState';
import { poolScalingView, scaleInCooldownSeconds } from '../../../../src/cluster/scaling/poolScalingView';

describe('poolScalingView', () => {
  const state = {
    ...initialState({
      clusterName: 'demo',
      pool: 'pool1',
      minCount: 1,
      maxCount: 9,
      zones: ['1', '2', '3'],
      nodes: [
        { name: 'demo-pool1-0', zone: '1' },
        { name: 'demo-pool1-1', zone: '2' },
      ],
    }),
    desired: 5,
  };

  it('shows desired and actual nodes per zone', () => {
    expect(poolScalingView(state)).toMatchObject({
      desired: 5,
      actual: 2,
      scaling: false,
      zones: {
        '1': { desired: 2, actual: 1 },
        '2': { desired: 2, actual: 1 },
        '3': { desired: 1, actual: 0 },
      },
    });
  });

  it('names a regional pool\'s only group "none" and lists nodes left in unlisted zones', () => {
    const regional = { ...state, zones: [], nodes: [{ name: 'demo-pool1-0' }], desired: 2 };
    expect(poolScalingView(regional).zones).toEqual({ none: { desired: 2, actual: 1 } });
    const moved = { ...state, zones: ['1'], desired: 2 };
    expect(poolScalingView(moved).zones).toEqual({
      '1': { desired: 1, actual: 1 },
      '2': { desired: 1, actual: 1 },
    });
  });
});

describe('SCALE_IN_COOLDOWN_SECONDS', () => {
  it.each([
    [undefined, 300],
    ['', 300],
    ['0', 0],
    [' 45 ', 45],
  ])('%j gives %d seconds', (raw, seconds) => {
    expect(scaleInCooldownSeconds({ SCALE_IN_COOLDOWN_SECONDS: raw })).toBe(seconds);
  });

  it.each(['-1', '1.5', 'five', '90000'])('refuses %j naming the setting', (raw) => {
    expect(() => scaleInCooldownSeconds({ SCALE_IN_COOLDOWN_SECONDS: raw })).toThrow(
      /SCALE_IN_COOLDOWN_SECONDS must be a whole number/,
    );
  });
});
