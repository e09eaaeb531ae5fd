/**
 * Body fields a plan can only name (a role assignment's `principalId` is its identity's): filled in
 * just before the resource is applied, from the outputs of the resource they come from, read live
 * so a retry or a later run finds the same value.
 */
import type { Json, JsonObject, PlannedResource } from '../cluster/plan/types';
import { TerminalError } from './errors';

export type ReadOutputs = (id: string) => Promise<Record<string, string>>;

function setAt(body: JsonObject, path: string, value: Json): JsonObject {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let node: JsonObject = copy;
  keys.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as JsonObject;
  });
  node[keys[keys.length - 1] ?? ''] = value;
  return copy;
}

/** The resource with every `inputs` field filled in; unchanged when it has none. */
export async function withPlannedInputs<T extends Pick<PlannedResource, 'id' | 'body' | 'inputs'>>(
  resource: T,
  readOutputs: ReadOutputs,
): Promise<T> {
  if (!resource.inputs || resource.inputs.length === 0) return resource;
  let body = resource.body;
  for (const input of resource.inputs) {
    const outputs = await readOutputs(input.from);
    const value = outputs[input.output];
    if (value === undefined) {
      throw new TerminalError(
        'PlannedInputMissing',
        `${input.from} has no ${input.output} yet, which ${input.path} needs`,
        resource.id,
      );
    }
    body = setAt(body, input.path, value);
  }
  return { ...resource, body };
}
