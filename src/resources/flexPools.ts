/**
 * What ARM says about a cluster's Flexible worker pools (cluster/plan/scaleSets.ts): each set's
 * capacity and state, and its member VMs — one scale set list and one VM list per resource group,
 * never a GET per node (a 1,000-node pool must not cost 1,000 reads).
 */
import { NO_ZONE, type ZoneCapacities } from '../cluster/plan/scaleSets';
import { type ReconcileOptions, withTransientRetry } from './reconcile';
import { parseResourceId } from './resourceId';
import { computeSdk } from './types/compute/sdk';
import type { ArmConnection } from './types/sdkNamespace';

/** A planned scale set of a Flexible pool: its id, pool and zone (absent: regional). */
export interface FlexSetRef {
  id: string;
  pool: string;
  zone?: string;
}

export interface FlexMember {
  name: string;
  /** The computer name (the Kubernetes node name), when ARM returns it. */
  computerName?: string;
  zone?: string;
  provisioningState: string;
}

export interface FlexSetState {
  name: string;
  zone?: string;
  /** Absent when the set does not exist. */
  capacity?: number;
  provisioningState?: string;
  members: FlexMember[];
}

const lower = (s: string): string => s.toLowerCase();

async function listSets(
  arm: ArmConnection,
  resourceGroup: string,
  reconcile: ReconcileOptions,
): Promise<Map<string, { capacity: number; provisioningState?: string }>> {
  const compute = arm.clientOf(computeSdk);
  const rows = await withTransientRetry(
    `/subscriptions/${arm.subscriptionId}/resourceGroups/${resourceGroup}`,
    async () => {
      const out: [string, { capacity: number; provisioningState?: string }][] = [];
      for await (const set of compute.virtualMachineScaleSets.list(resourceGroup)) {
        if (set.id === undefined) continue;
        out.push([
          lower(set.id),
          {
            capacity: set.sku?.capacity ?? 0,
            ...(set.provisioningState !== undefined ? { provisioningState: set.provisioningState } : {}),
          },
        ]);
      }
      return out;
    },
    reconcile,
  );
  return new Map(rows);
}

/**
 * Per Flexible pool, its sets' current capacities per zone (`NO_ZONE` for a regional pool). A set
 * planned before that does not exist counts 0 members. One list call per resource group.
 */
export async function readScaleSetCapacities(
  arm: ArmConnection,
  sets: readonly FlexSetRef[],
  reconcile: ReconcileOptions = {},
): Promise<Record<string, ZoneCapacities>> {
  const out: Record<string, Record<string, number>> = {};
  const groups = new Set(sets.map((s) => lower(parseResourceId(s.id).resourceGroup)));
  const found = new Map<string, number>();
  for (const group of groups) {
    for (const [id, s] of await listSets(arm, group, reconcile)) found.set(id, s.capacity);
  }
  for (const s of sets) {
    const pool = (out[s.pool] ??= {});
    pool[s.zone ?? NO_ZONE] = found.get(lower(s.id)) ?? 0;
  }
  return out;
}

/**
 * The sets of the Flexible pools and their member VMs (a VM whose `virtualMachineScaleSet.id` is
 * one of the sets): one scale set list and one VM list per resource group.
 */
export async function readFlexPools(
  arm: ArmConnection,
  sets: readonly FlexSetRef[],
  reconcile: ReconcileOptions = {},
): Promise<Record<string, FlexSetState[]>> {
  const compute = arm.clientOf(computeSdk);
  const groups = new Set(sets.map((s) => lower(parseResourceId(s.id).resourceGroup)));
  const setStates = new Map<string, { capacity: number; provisioningState?: string }>();
  const members = new Map<string, FlexMember[]>();
  for (const group of groups) {
    for (const [id, s] of await listSets(arm, group, reconcile)) setStates.set(id, s);
    const vms = await withTransientRetry(
      `/subscriptions/${arm.subscriptionId}/resourceGroups/${group}`,
      async () => {
        const out: { setId: string; member: FlexMember }[] = [];
        for await (const vm of compute.virtualMachines.list(group)) {
          const setId = vm.virtualMachineScaleSet?.id;
          if (setId === undefined || vm.name === undefined) continue;
          const zone = vm.zones?.[0];
          out.push({
            setId: lower(setId),
            member: {
              name: vm.name,
              ...(vm.osProfile?.computerName !== undefined
                ? { computerName: vm.osProfile.computerName }
                : {}),
              ...(zone !== undefined ? { zone } : {}),
              provisioningState: vm.provisioningState ?? 'Unknown',
            },
          });
        }
        return out;
      },
      reconcile,
    );
    for (const { setId, member } of vms) members.set(setId, [...(members.get(setId) ?? []), member]);
  }
  const out: Record<string, FlexSetState[]> = {};
  for (const s of sets) {
    const state = setStates.get(lower(s.id));
    const name = parseResourceId(s.id).names[0] ?? s.id;
    (out[s.pool] ??= []).push({
      name,
      ...(s.zone !== undefined ? { zone: s.zone } : {}),
      ...(state ? { capacity: state.capacity } : {}),
      ...(state?.provisioningState !== undefined ? { provisioningState: state.provisioningState } : {}),
      members: (members.get(lower(s.id)) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
  return out;
}

/** How a Flexible pool stands, from what ARM says (the status route's `scaleSetPools`). */
export interface ScaleSetPoolView {
  orchestration: 'FlexibleScaleSet';
  /** Nodes the spec asks for, and member VMs that exist. */
  desired: number;
  actual: number;
  /** Members whose VM is `Succeeded`. */
  ready: number;
  zones: Record<
    string,
    {
      scaleSet: string;
      /** Absent when the set does not exist. */
      capacity?: number;
      provisioningState?: string;
      nodes: number;
      nodesReady: number;
    }
  >;
  nodes: {
    name: string;
    computerName?: string;
    zone?: string;
    state: string;
    scaleSet: string;
  }[];
}

/** The status of one Flexible pool from what ARM says. */
export function scaleSetPoolView(desired: number, sets: readonly FlexSetState[]): ScaleSetPoolView {
  const zones: ScaleSetPoolView['zones'] = {};
  const nodes: ScaleSetPoolView['nodes'] = [];
  for (const set of sets) {
    const ready = set.members.filter((m) => m.provisioningState === 'Succeeded').length;
    zones[set.zone ?? 'none'] = {
      scaleSet: set.name,
      ...(set.capacity !== undefined ? { capacity: set.capacity } : {}),
      ...(set.provisioningState !== undefined ? { provisioningState: set.provisioningState } : {}),
      nodes: set.members.length,
      nodesReady: ready,
    };
    for (const m of set.members) {
      nodes.push({
        name: m.name,
        ...(m.computerName !== undefined ? { computerName: m.computerName } : {}),
        ...(m.zone !== undefined ? { zone: m.zone } : {}),
        state: m.provisioningState,
        scaleSet: set.name,
      });
    }
  }
  return {
    orchestration: 'FlexibleScaleSet',
    desired,
    actual: nodes.length,
    ready: nodes.filter((n) => n.state === 'Succeeded').length,
    zones,
    nodes,
  };
}
