/**
 * Scaling a node pool. Every event or HTTP request becomes one short `nodePoolRequest` orchestration
 * that hands the request to the pool's entity. When the entity needs work done and no operation runs,
 * it names that orchestration the runner: it then loops — ask the entity for the next step (always
 * the newest target), run it (`scaleNodePoolStep`), report — until the entity says the pool is at
 * size. Requests arriving meanwhile only retarget it. Deterministic: time from `currentUtcDateTime`.
 */
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

import type { Clock, StepReport } from '../cluster/scaling/nodePoolState';
import { runScaleStep } from './scaling/scaleStep';
import {
  type EntityNextInput,
  type EntityNextOutput,
  type EntityRequestInput,
  type EntityRequestOutput,
  nodePoolKey,
  NodePoolOperations,
  type NodePoolRequestInput,
  type NodePoolRequestOutput,
  type ScaleStepInput,
  type ScaleStepOutput,
  ScalingFunctions,
} from './scaling/scalingFunctions';

/** A runner waiting out a cooldown asks again this often, to see a newer target (a scale-out) early. */
const WAIT_SLICE_MS = 5_000;
/** A runner waiting for a cluster create or delete to finish checks this often. */
const BUSY_RETRY_MS = 2_000;

const nodePoolRequest: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<NodePoolRequestInput>();
  const entity = new df.EntityId(
    ScalingFunctions.nodePoolEntity,
    nodePoolKey(input.config.clusterName, input.config.pool),
  );
  const operationId = context.df.instanceId;
  const clock = (): Clock => ({
    now: context.df.currentUtcDateTime.toISOString(),
    nowMs: context.df.currentUtcDateTime.getTime(),
  });
  const request: EntityRequestInput = {
    request: input.request,
    ctx: { ...clock(), config: input.config, cooldownSeconds: input.cooldownSeconds, operationId },
  };
  const result = (yield context.df.callEntity(
    entity,
    NodePoolOperations.request,
    request,
  )) as EntityRequestOutput;
  const output: NodePoolRequestOutput = { result, steps: 0 };
  if (result.runner !== 'start') return output;

  let report: StepReport | undefined;
  for (;;) {
    const nextInput: EntityNextInput = { operationId, clock: clock(), ...(report ? { report } : {}) };
    const next = (yield context.df.callEntity(
      entity,
      NodePoolOperations.next,
      nextInput,
    )) as EntityNextOutput;
    report = undefined;
    if (next.kind === 'done') {
      output.stopped = next.reason;
      return output;
    }
    if (next.kind === 'wait') {
      const until = Math.min(Date.parse(next.until), clock().nowMs + WAIT_SLICE_MS);
      yield context.df.createTimer(new Date(until));
      continue;
    }
    const step: ScaleStepInput = {
      clusterName: input.config.clusterName,
      pool: input.config.pool,
      target: next.target,
      nodes: next.nodes,
      zones: next.zones,
      removableNodes: next.removableNodes,
      repair: next.repair,
    };
    let out: ScaleStepOutput;
    try {
      out = (yield context.df.callActivity(ScalingFunctions.scaleNodePoolStep, step)) as ScaleStepOutput;
    } catch (err) {
      // An activity that throws (not an ARM failure: those come back as data) ends the run; the pool
      // keeps its target and the next event or request starts again.
      report = {
        nodes: next.nodes,
        error: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
      };
      continue;
    }
    if (out.kind === 'busy') {
      if (!context.df.isReplaying) context.log(`scaling ${entity.key} waits: ${out.reason}`);
      yield context.df.createTimer(new Date(clock().nowMs + BUSY_RETRY_MS));
      report = { nodes: next.nodes, ...(next.repair ? { repairAgain: true } : {}) };
      continue;
    }
    output.steps++;
    report = out.report;
  }
};

df.app.orchestration(ScalingFunctions.nodePoolRequest, nodePoolRequest);

df.app.activity(ScalingFunctions.scaleNodePoolStep, {
  extraInputs: [df.input.durableClient()],
  handler: (input: ScaleStepInput, context) => runScaleStep(input, df.getClient(context), context),
});
