import * as fs from 'node:fs';

import {
  isInstanceConflict,
  isInstanceNotFound,
  startFailedMessage,
} from '../../../src/functions/shared/startConflict';

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

describe('getStatus failures', () => {
  it('treats the pinned durable client\'s 404 as "no such instance", and nothing else', () => {
    // The pinned durable-functions still words its 404 this way (its getStatus exposes no status code).
    const source = fs.readFileSync(
      require.resolve('durable-functions/lib/src/durableClient/DurableClient.js'),
      'utf8',
    );
    expect(source).toContain('Durable Functions extension replied with HTTP 404 response');
    expect(
      isInstanceNotFound(
        new Error(
          'DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: cluster-a.',
        ),
      ),
    ).toBe(true);
    // A server error about a cluster whose name contains 404 is not "not found".
    expect(
      isInstanceNotFound(new Error('The operation failed with an unexpected status code: 500 (cluster-404)')),
    ).toBe(false);
    expect(isInstanceNotFound('404')).toBe(false);
  });
});
