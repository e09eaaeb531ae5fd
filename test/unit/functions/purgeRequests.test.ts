import {
  DEFAULT_NODE_POOL_HISTORY_MINUTES,
  HistorySettingError,
  nodePoolHistoryMinutes,
} from '../../../src/functions/scaling/purgeRequests';

describe('NODE_POOL_HISTORY_MINUTES', () => {
  it('defaults to 10 minutes; 0 purges at once', () => {
    expect(nodePoolHistoryMinutes({})).toBe(DEFAULT_NODE_POOL_HISTORY_MINUTES);
    expect(nodePoolHistoryMinutes({ NODE_POOL_HISTORY_MINUTES: ' ' })).toBe(10);
    expect(nodePoolHistoryMinutes({ NODE_POOL_HISTORY_MINUTES: '0' })).toBe(0);
    expect(nodePoolHistoryMinutes({ NODE_POOL_HISTORY_MINUTES: '45' })).toBe(45);
  });

  it.each(['-1', '1.5', 'ten', '10081'])('refuses %s, naming the setting', (value) => {
    expect(() => nodePoolHistoryMinutes({ NODE_POOL_HISTORY_MINUTES: value })).toThrow(HistorySettingError);
    expect(() => nodePoolHistoryMinutes({ NODE_POOL_HISTORY_MINUTES: value })).toThrow(
      /NODE_POOL_HISTORY_MINUTES must be a whole number of minutes from 0 to 10080/,
    );
  });
});
