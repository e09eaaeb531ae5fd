/**
 * `GET /api/ui`: the status page. Same key rule as the API (authLevel function): open it as
 * `/api/ui?code=<key>` and it passes that key on to its own requests.
 */
import { app, type HttpResponseInit } from '@azure/functions';

import type * as StatusPage from '../ui/statusPage';

let html: string | undefined;

function statusPage(): HttpResponseInit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, not at app start
  html ??= (require('../ui/statusPage') as typeof StatusPage).statusPageHtml();
  return {
    status: 200,
    body: html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // Everything the page needs is inline; it talks to this origin only.
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  };
}

app.http('ui', { route: 'ui', methods: ['GET'], authLevel: 'function', handler: () => statusPage() });
