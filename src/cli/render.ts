/**
 * How the CLI shows a cluster: live progress on a terminal (cli-progress: one bar for the resources,
 * one per zone for its nodes), plain lines elsewhere (CI logs, pipes), and the final words on success
 * or failure — the failing resource, its ARM code, ARM's message and what to do.
 */
import { styleText } from 'node:util';

import { MultiBar, type SingleBar } from 'cli-progress';

import { hintFor } from '../api/hints';
import type { ClusterStatusBody } from '../api/schemas';
import type { CliIo } from './io';

export interface ProgressRenderer {
  update(view: ClusterStatusBody): void;
  stop(): void;
}

const ACTIVE = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);
export const isActive = (view: ClusterStatusBody): boolean => ACTIVE.has(view.runtimeStatus);

/** Succeeded: the operation completed and the cluster is where it was asked to be. */
export function succeeded(view: ClusterStatusBody): boolean {
  return view.runtimeStatus === 'Completed' && (view.phase === 'Provisioned' || view.phase === 'Deleted');
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** `…/virtualMachines/demo-general-4` out of an ARM id: short enough for one line. */
export function shortResource(id: string): string {
  const parts = id.split('/');
  return parts.length >= 2 ? parts.slice(-2).join('/') : id;
}

function paint(io: CliIo, style: Parameters<typeof styleText>[0], text: string): string {
  return io.isTty && io.env.NO_COLOR === undefined ? styleText(style, text) : text;
}

function zoneEntries(view: ClusterStatusBody): [string, { nodesReady: number; nodesTotal: number }][] {
  return Object.entries(view.zones ?? {}).sort(([a], [b]) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
}

/** One line: phase, resources, nodes per zone. */
export function progressLine(view: ClusterStatusBody): string {
  const parts = [view.phase ?? view.runtimeStatus];
  if (view.resources) parts.push(`${view.resources.done}/${view.resources.total} resources`);
  const zones = zoneEntries(view);
  if (zones.length > 0) {
    parts.push(
      `nodes ready ${zones.map(([zone, z]) => `zone ${zone} ${z.nodesReady}/${z.nodesTotal}`).join(', ')}`,
    );
  }
  return parts.join(' · ');
}

/** Plain lines, one per change, each with the time since the command started. */
export class PlainProgress implements ProgressRenderer {
  private last = '';
  constructor(
    private readonly io: CliIo,
    private readonly startedAt: number,
  ) {}

  update(view: ClusterStatusBody): void {
    const line = progressLine(view);
    if (line === this.last) return;
    this.last = line;
    this.io.stdout(`[${formatDuration(this.io.now() - this.startedAt).padStart(5)}] ${view.name}: ${line}\n`);
  }

  stop(): void {}
}

/** Live bars on a terminal. */
export class TtyProgress implements ProgressRenderer {
  private readonly bars: MultiBar;
  private readonly resources: SingleBar;
  private readonly zones = new Map<string, SingleBar>();

  constructor(
    private readonly io: CliIo,
    private readonly startedAt: number,
  ) {
    this.bars = new MultiBar({
      ...(io.progressStream ? { stream: io.progressStream } : {}),
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: Math.max(10, Math.min(40, (io.columns ?? 80) - 60)),
      barCompleteChar: '█',
      barIncompleteChar: '░',
      fps: 5,
      format: (options, params, payload: { label: string; unit: string; tail: string }) => {
        const size = options.barsize ?? 30;
        const filled = Math.round(params.progress * size);
        const bar = '█'.repeat(filled) + '░'.repeat(Math.max(0, size - filled));
        const tail =
          payload.tail === 'elapsed' ? formatDuration(this.io.now() - this.startedAt) : payload.tail;
        return `${payload.label.padEnd(14)} ${bar} ${String(params.value).padStart(3)}/${params.total} ${payload.unit}${tail ? `  ${tail}` : ''}`;
      },
    });
    this.resources = this.bars.create(1, 0, { label: 'starting', unit: 'resources', tail: 'elapsed' });
  }

  update(view: ClusterStatusBody): void {
    const total = view.resources?.total ?? 1;
    this.resources.setTotal(Math.max(1, total));
    this.resources.update(view.resources?.done ?? 0, {
      label: view.phase ?? view.runtimeStatus,
      unit: 'resources',
      tail: 'elapsed',
    });
    for (const [zone, progress] of zoneEntries(view)) {
      let bar = this.zones.get(zone);
      if (!bar) {
        bar = this.bars.create(Math.max(1, progress.nodesTotal), 0, {
          label: `  zone ${zone}`,
          unit: 'nodes ready',
          tail: '',
        });
        this.zones.set(zone, bar);
      }
      bar.setTotal(Math.max(1, progress.nodesTotal));
      bar.update(progress.nodesReady, { label: `  zone ${zone}`, unit: 'nodes ready', tail: '' });
    }
  }

  stop(): void {
    this.bars.stop();
  }
}

export function progressRenderer(io: CliIo, startedAt: number): ProgressRenderer {
  return io.isTty && io.progressStream ? new TtyProgress(io, startedAt) : new PlainProgress(io, startedAt);
}

/** The failure, in words: what failed, where, what ARM said, what to do. */
export function failureText(view: ClusterStatusBody, io: CliIo): string {
  const error = view.error;
  const what = view.operation === 'delete' ? 'deletion' : 'provisioning';
  if (!error) {
    return `${paint(io, 'red', '✗')} ${what} of cluster "${view.name}" ended ${view.runtimeStatus}${view.phase ? ` (${view.phase})` : ''}\n`;
  }
  const lines = [
    `${paint(io, 'red', '✗')} ${what} of cluster "${view.name}" failed: ${paint(io, 'bold', error.code)}` +
      (error.resource ? ` on ${paint(io, 'bold', shortResource(error.resource))}` : ''),
    `  ${error.message}`,
    `  ${paint(io, 'yellow', 'hint:')} ${hintFor(error.code)}`,
  ];
  if (error.resource) lines.push(`  resource: ${error.resource}`);
  if (view.rolledBack) lines.push('  everything this run created was rolled back (onFailure: rollback)');
  return `${lines.join('\n')}\n`;
}

export function successText(view: ClusterStatusBody, io: CliIo, elapsedMs: number): string {
  const lines = [
    `${paint(io, 'green', '✓')} cluster "${view.name}" ${view.phase ?? view.runtimeStatus} in ${formatDuration(elapsedMs)}`,
  ];
  if (view.phase === 'Provisioned') {
    if (view.resources) lines.push(`  resources: ${view.resources.total}`);
    const zones = zoneEntries(view);
    if (zones.length > 0)
      lines.push(`  nodes: ${zones.map(([z, p]) => `zone ${z} ${p.nodesReady}/${p.nodesTotal}`).join(', ')}`);
    if (view.apiServer) lines.push(`  API server: ${view.apiServer.endpoint}`);
  }
  return `${lines.join('\n')}\n`;
}

/** AKS: each pool's latest rolling and the newest versions AKS announced. */
function aksEventLines(view: ClusterStatusBody): string[] {
  const aks = view.aksEvents;
  if (!aks) return [];
  const lines = Object.entries(aks.nodePools)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pool, r]) => `  node pool ${pool}: rolling ${r.state} at ${r.at}`);
  const v = aks.newKubernetesVersionAvailable;
  if (v) {
    lines.push(
      `  new Kubernetes versions: latest supported ${v.latestSupportedKubernetesVersion}, stable ${v.latestStableKubernetesVersion}, lowest minor ${v.lowestMinorKubernetesVersion}` +
        (v.latestPreviewKubernetesVersion ? `, preview ${v.latestPreviewKubernetesVersion}` : '') +
        ` (at ${v.at})`,
    );
  }
  return lines;
}

/** Flexible scale set pools: per zone the set (capacity, state, members ready), then the member VMs. */
export function scaleSetPoolLines(view: ClusterStatusBody): string[] {
  const lines: string[] = [];
  for (const [pool, p] of Object.entries(view.scaleSetPools ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  node pool ${pool} (${p.orchestration}): ${p.ready}/${p.desired} nodes ready`);
    for (const [zone, z] of Object.entries(p.zones).sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(
        `    zone ${zone}: ${z.scaleSet} capacity ${z.capacity ?? 'absent'} ${z.provisioningState ?? ''}, ${z.nodesReady}/${z.nodes} members ready`.replace(
          /\s+,/,
          ',',
        ),
      );
    }
    for (const n of p.nodes) lines.push(`    ${n.name} zone ${n.zone ?? 'none'} ${n.state}`);
  }
  return lines;
}

/** `status`: a few lines a person reads. */
export function statusText(view: ClusterStatusBody, io: CliIo): string {
  const lines = [`${paint(io, 'bold', view.name)}: ${progressLine(view)}`];
  lines.push(`  last operation: ${view.operation ?? 'unknown'} (${view.runtimeStatus})`);
  if (view.resourceGroup) lines.push(`  resource group: ${view.resourceGroup} (${view.location ?? ''})`);
  if (view.apiServer) lines.push(`  API server: ${view.apiServer.endpoint}`);
  if (view.fqdn) lines.push(`  API server: ${view.fqdn}`);
  if (view.bootstrap) {
    lines.push(`  CA certificate: ${view.bootstrap.caCertHash}`);
    lines.push(
      `  join token: ${view.bootstrap.joinTokenSecretId} (expires ${view.bootstrap.joinTokenExpiresOn})`,
    );
  }
  lines.push(...aksEventLines(view));
  lines.push(...scaleSetPoolLines(view));
  const out = `${lines.join('\n')}\n`;
  return view.error ? out + failureText(view, io) : out;
}

/** `list`: a table. */
export function listText(clusters: readonly ClusterStatusBody[]): string {
  if (clusters.length === 0) return 'no clusters\n';
  const rows = clusters.map((c) => [
    c.name,
    c.phase ?? '',
    c.runtimeStatus,
    c.resources ? `${c.resources.done}/${c.resources.total}` : '',
    c.apiServer?.endpoint ?? '',
  ]);
  const head = ['NAME', 'PHASE', 'STATUS', 'RESOURCES', 'API SERVER'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}
