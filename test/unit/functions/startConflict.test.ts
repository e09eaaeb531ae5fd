import { isInstanceConflict, startFailedMessage } from '../../../src/functions/shared/startConflict';

describe('startNew failures', () => {
  it('treats only an existing or running instance as a conflict', () => {
    expect(
      isInstanceConflict(new Error('The operation failed with an unexpected status code: 409. Details: {}')),
    ).toBe(true);
    expect(
      isInstanceConflict(
        new Error("An orchestration instance with ID 'cluster-a' already exists and is Running."),
      ),
    ).toBe(true);
    expect(
      isInstanceConflict(new Error('The operation failed with an unexpected status code: 500. Details: {}')),
    ).toBe(false);
    expect(isInstanceConflict(new Error('connect ECONNREFUSED 127.0.0.1:4094'))).toBe(false);
  });

  it('says what failed without the underlying details', () => {
    expect(startFailedMessage('demo', 'deletion')).toMatch(/deletion of cluster "demo"/);
  });
});
