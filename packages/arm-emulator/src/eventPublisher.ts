/**
 * Delivers ARM's resource events (Event Grid schema) to subscriber webhooks the way Event Grid
 * does: a JSON array, header `aeg-event-type: Notification`, a few retries, never blocking ARM.
 * Only loopback http(s) URLs are accepted: the emulator never sends traffic anywhere else.
 */
export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: Record<string, unknown>;
  dataVersion: string;
  metadataVersion: '1';
}

const RETRY_DELAYS_MS = [100, 500, 2_000];

export class EventPublisher {
  private readonly subscribers: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(subscribers: readonly string[] = []) {
    for (const url of subscribers) this.add(url);
  }

  add(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`event subscriber '${url}' is not a URL`);
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
      throw new Error(`event subscriber '${url}' must be on loopback (127.0.0.1, localhost, ::1)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`event subscriber '${url}' must be http or https`);
    }
    if (!this.subscribers.includes(url)) this.subscribers.push(url);
  }

  publish(events: EventGridEvent[]): void {
    if (events.length === 0 || this.abort.signal.aborted) return;
    for (const url of this.subscribers) {
      const delivery = this.deliver(url, events).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  /** Stops delivering: cancels deliveries and retries still under way and waits for them to settle. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(url: string, events: EventGridEvent[]): Promise<void> {
    const body = JSON.stringify(events);
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      if (this.abort.signal.aborted) return;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(5_000)]),
        });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // Subscriber down or slow: Event Grid retries, so do we (a bounded number of times).
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.abort.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
