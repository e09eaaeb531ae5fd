/**
 * The status page (`GET /api/ui`): one self-contained HTML document — no build step, no CDN, works
 * offline. Its script reads the function key from its own `?code=` and passes it on every request it
 * makes (`clusters`, `clusters/{name}/topology`), so it has exactly the access the key gives.
 * Everything from the API is put in the page as text (textContent), never as HTML.
 */
import { STATUS_PAGE_CSS } from './statusPageStyle';

// Plain ES2020 for the browser. No template literals in it: it lives inside one.
const SCRIPT = String.raw`
'use strict';
var params = new URLSearchParams(location.search);
var key = params.get('code') || '';
var selected = params.get('cluster') || '';
var ACTIVE = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];
var timer = null;
var shownAt = {};

function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function add(parent) {
  for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
  return parent;
}
function withKey(path) {
  return path + (path.indexOf('?') < 0 ? '?' : '&') + 'code=' + encodeURIComponent(key);
}
function pageLink(name) {
  var q = new URLSearchParams();
  if (key) q.set('code', key);
  if (name) q.set('cluster', name);
  return 'ui?' + q.toString();
}

/** A sentence a person can act on, for an answer that is not 200. */
function explain(status, body) {
  if (status === 401 || status === 403)
    return 'The function key is missing or wrong. Open this page as /api/ui?code=<function key> (locally: functionKeys.default in .local/host/keys.json).';
  if (body && body.error && body.error.message) return body.error.message + (body.error.code ? ' (' + body.error.code + ')' : '');
  if (body && body.errors) return body.errors.map(function (e) { return (e.path || 'spec') + ': ' + e.message; }).join('; ');
  return 'The API answered HTTP ' + status + '. Check that the Function App is running, then reload.';
}

async function getJson(path) {
  var res;
  try {
    res = await fetch(withKey(path), { headers: { accept: 'application/json' } });
  } catch (e) {
    return { ok: false, message: 'Cannot reach the API (' + (e && e.message ? e.message : 'network error') + '). Is the Function App running?' };
  }
  var body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) return { ok: false, status: res.status, message: explain(res.status, body) };
  return { ok: true, body: body };
}

function banner(message) {
  var box = document.getElementById('banner');
  box.textContent = message || '';
  box.hidden = !message;
}

function phaseClass(phase, runtime) {
  if (phase === 'Provisioned' || phase === 'Deleted') return 'ok';
  if (phase === 'Failed' || phase === 'DeleteFailed' || runtime === 'Failed' || runtime === 'Terminated') return 'bad';
  return 'busy';
}

function isActive(view) { return ACTIVE.indexOf(view.runtimeStatus) >= 0; }

function renderList(clusters) {
  var list = document.getElementById('clusters');
  list.textContent = '';
  if (clusters.length === 0) {
    add(list, el('p', 'muted', 'No clusters yet. Create one: npm run cli -- apply examples/iaas-cluster.yaml'));
    return;
  }
  clusters.forEach(function (c) {
    var a = el('a', 'cluster' + (c.name === selected ? ' current' : ''));
    a.href = pageLink(c.name);
    a.setAttribute('data-cluster', c.name);
    add(a, el('span', 'name', c.name), el('span', 'pill ' + phaseClass(c.phase, c.runtimeStatus), c.phase || c.runtimeStatus));
    if (c.resources) add(a, el('span', 'muted small', c.resources.done + '/' + c.resources.total + ' resources'));
    add(list, a);
  });
}

function progressBar(done, total) {
  var bar = el('div', 'bar');
  var fill = el('div', 'fill');
  fill.style.width = (total > 0 ? Math.round((100 * done) / total) : 0) + '%';
  return add(bar, fill);
}

function elapsed(view) {
  if (!view.createdTime) return '';
  var start = Date.parse(view.createdTime);
  var end = isActive(view) ? Date.now() : Date.parse(view.lastUpdatedTime || view.createdTime);
  var s = Math.max(0, Math.round((end - start) / 1000));
  return (s >= 60 ? Math.floor(s / 60) + 'm ' : '') + (s % 60) + 's';
}

function kv(label, value) {
  var row = el('div', 'kv');
  return add(row, el('span', 'k', label), el('span', 'v', value === undefined || value === null || value === '' ? '—' : value));
}

function renderTopology(t) {
  var view = t.cluster;
  var root = document.getElementById('detail');
  root.textContent = '';
  var head = el('section', 'card head');
  var title = el('h2', null, view.name);
  add(title, el('span', 'pill big ' + phaseClass(view.phase, view.runtimeStatus), view.phase || view.runtimeStatus));
  add(head, title);
  var facts = el('div', 'facts');
  add(facts,
    kv('operation', view.operation),
    kv('runtime status', view.runtimeStatus),
    kv('resource group', view.resourceGroup),
    kv('location', view.location),
    kv('elapsed', elapsed(view)));
  add(head, facts);
  if (view.resources) {
    add(head, el('div', 'muted', 'Resources ' + view.resources.done + ' / ' + view.resources.total), progressBar(view.resources.done, view.resources.total));
  }
  add(root, head);

  if (t.failure) {
    var f = el('section', 'card failure');
    f.setAttribute('role', 'alert');
    add(f, el('h3', null, 'Failed: ' + t.failure.code),
      kv('resource', t.failure.resource || '(none)'),
      el('p', 'message', t.failure.message),
      el('p', 'hint', 'What to do: ' + t.failure.hint));
    if (view.rolledBack) add(f, el('p', 'muted', 'Everything this run created was rolled back.'));
    add(root, f);
  }

  if (view.aksEvents) {
    var aks = el('section', 'card aks-events');
    add(aks, el('h3', null, 'AKS events'));
    Object.keys(view.aksEvents.nodePools).sort().forEach(function (pool) {
      var r = view.aksEvents.nodePools[pool];
      var row = kv('node pool ' + pool, 'rolling ' + r.state + ' at ' + r.at);
      row.setAttribute('data-pool-rolling', pool);
      add(aks, row);
    });
    var v = view.aksEvents.newKubernetesVersionAvailable;
    if (v) {
      add(aks, kv('new Kubernetes versions', 'latest supported ' + v.latestSupportedKubernetesVersion +
        ', stable ' + v.latestStableKubernetesVersion + ', lowest minor ' + v.lowestMinorKubernetesVersion +
        (v.latestPreviewKubernetesVersion ? ', preview ' + v.latestPreviewKubernetesVersion : '')));
    }
    add(root, aks);
  }

  var net = el('section', 'card network');
  add(net, el('h3', null, 'Network and API endpoint'));
  var grid = el('div', 'netgrid');
  var endpoint = el('div', 'box endpoint');
  add(endpoint, el('h4', null, 'API server'),
    kv('endpoint', t.apiServer ? t.apiServer.endpoint : (isActive(view) ? 'being created' : undefined)),
    kv('load balancer', t.loadBalancer ? t.loadBalancer.name : undefined),
    kv('public IP', t.loadBalancer ? t.loadBalancer.frontendPublicIp : undefined),
    kv('health probe', t.loadBalancer ? t.loadBalancer.probe : undefined));
  add(grid, endpoint);
  var vnet = el('div', 'box vnet');
  add(vnet, el('h4', null, 'VNet ' + (t.vnet ? t.vnet.name : '')), kv('address space', t.vnet ? t.vnet.cidr : undefined));
  if (t.vnet && !t.vnet.owned) add(vnet, el('p', 'muted small', 'brought by you: never written or deleted'));
  t.subnets.forEach(function (s) {
    var sub = el('div', 'subnet');
    sub.setAttribute('data-subnet', s.name);
    add(sub, el('strong', null, s.name), el('span', 'muted small', s.role === 'controlPlane' ? '  control-plane subnet' : '  worker subnet'),
      kv('CIDR', s.cidr), kv('NSG', s.nsg), kv('outbound', s.natGateway ? 'NAT gateway ' + s.natGateway : undefined));
    add(vnet, sub);
  });
  add(grid, vnet);
  add(net, grid);
  add(root, net);

  var zones = el('section', 'card');
  add(zones, el('h3', null, 'Nodes by availability zone'));
  var cols = el('div', 'zones');
  t.zones.forEach(function (z) {
    var col = el('div', 'zone');
    col.setAttribute('data-zone', z.zone);
    var p = view.zones ? view.zones[z.zone] : null;
    var ready = z.nodes.filter(function (n) { return n.state === 'ready'; }).length;
    add(col, el('h4', null, z.zone === 'none' ? 'no zone' : 'Zone ' + z.zone),
      el('div', 'muted small', (p ? p.nodesReady : ready) + ' / ' + (p ? p.nodesTotal : z.nodes.length) + ' nodes ready'),
      progressBar(p ? p.nodesReady : ready, p ? p.nodesTotal : z.nodes.length));
    z.nodes.forEach(function (n) {
      var card = el('div', 'node ' + n.state + (n.role === 'controlPlane' ? ' cp' : ''));
      card.setAttribute('data-node', n.name);
      card.setAttribute('data-state', n.state);
      add(card, el('div', 'nodename', n.name),
        el('div', 'muted small', (n.role === 'controlPlane' ? 'control plane' : 'pool ' + n.pool) + (n.vmSize ? ' · ' + n.vmSize : '')),
        el('span', 'pill ' + n.state, n.state));
      add(col, card);
    });
    add(cols, col);
  });
  if (t.zones.length === 0) add(cols, el('p', 'muted', 'This cluster has no IaaS nodes to draw.'));
  add(zones, cols);
  add(root, zones);

  if (t.scaling && t.scaling.length > 0) {
    var sc = el('section', 'card scaling');
    add(sc, el('h3', null, 'Recent scaling decisions'));
    t.scaling.forEach(function (d) {
      var parts = Object.keys(d).filter(function (k) { return k !== 'pool'; }).map(function (k) {
        var v = d[k];
        return k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : String(v));
      });
      add(sc, add(el('div', 'decision'), el('strong', null, String(d.pool || '')), el('span', null, ' ' + parts.join(' · '))));
    });
    add(root, sc);
  }
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  clearTimeout(timer);
  var list = await getJson('clusters');
  var busy = false;
  if (!list.ok) { banner(list.message); }
  else {
    banner('');
    renderList(list.body.clusters);
    busy = list.body.clusters.some(isActive);
  }
  if (selected) {
    var t = await getJson('clusters/' + encodeURIComponent(selected) + '/topology');
    if (t.ok) { renderTopology(t.body); busy = busy || isActive(t.body.cluster); }
    else {
      var root = document.getElementById('detail');
      root.textContent = '';
      add(root, add(el('section', 'card failure'), el('p', null, t.message)));
    }
  } else {
    var d = document.getElementById('detail');
    d.textContent = '';
    add(d, el('p', 'muted', 'Pick a cluster to see its zones, nodes, network and load balancer.'));
  }
  document.body.setAttribute('data-busy', busy ? 'true' : 'false');
  // Refresh quickly while work runs; slowly otherwise (a new apply shows up within 10 s).
  timer = setTimeout(refresh, busy ? 1000 : 10000);
}

refresh();
`;

export function statusPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clusters — azure-cluster-provisioner</title>
<link rel="icon" href="data:,">
<style>${STATUS_PAGE_CSS}</style>
</head>
<body data-busy="false">
<header><h1>azure-cluster-provisioner</h1><span id="updated" class="muted small"></span></header>
<div id="banner" class="banner" role="alert" hidden></div>
<main>
<nav><h2>Clusters</h2><div id="clusters"><p class="muted">Loading…</p></div></nav>
<div id="detail"></div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
