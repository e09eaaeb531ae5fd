/**
 * Policy assignments at a resource group's scope. The emulator knows the built-in Kubernetes
 * initiatives the Azure Policy add-on enforces, with their parameters (effect, excluded namespaces).
 */
import { badRequest, notFound } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asArray, asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';

interface BuiltInInitiative {
  displayName: string;
  effects: readonly string[];
}

const INITIATIVES: Readonly<Record<string, BuiltInInitiative>> = {
  '/providers/microsoft.authorization/policysetdefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d': {
    displayName: 'Kubernetes cluster pod security baseline standards for Linux-based workloads',
    effects: ['audit', 'deny', 'disabled'],
  },
  '/providers/microsoft.authorization/policysetdefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00': {
    displayName: 'Kubernetes cluster pod security restricted standards for Linux-based workloads',
    effects: ['audit', 'deny', 'disabled'],
  },
};

export const policyAssignments: ResourceProvider = {
  type: ArmTypes.policyAssignment,
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  locationless: true,
  nameRule: {
    pattern: /^[^<>*%&:\\?.+/]{1,64}$/,
    message: (name) =>
      `The policy assignment name '${name}' is invalid: at most 64 characters, none of '<>*%&:\\?.+/'.`,
  },
  prepare(_ctx, record) {
    const props = asObject(record.body.properties) ?? {};
    const definitionId = asString(props.policyDefinitionId) ?? '';
    const initiative = INITIATIVES[definitionId.toLowerCase()];
    if (!initiative) {
      throw notFound(
        'PolicyDefinitionNotFound',
        `The policy definition '${definitionId}' could not be found.`,
      );
    }
    const parameters = asObject(props.parameters) ?? {};
    for (const name of Object.keys(parameters)) {
      if (name !== 'effect' && name !== 'excludedNamespaces') {
        throw badRequest(
          'UndefinedPolicyParameter',
          `The policy assignment has a parameter '${name}' that the policy definition does not define.`,
        );
      }
    }
    const effect = asString(asObject(parameters.effect)?.value);
    if (effect !== undefined && !initiative.effects.includes(effect.toLowerCase())) {
      throw badRequest(
        'InvalidPolicyParameters',
        `The value '${effect}' of parameter 'effect' is not allowed; allowed values are: ${initiative.effects.join(', ')}.`,
      );
    }
    const excluded = asObject(parameters.excludedNamespaces)?.value;
    if (excluded !== undefined && !asArray(excluded).every((n) => typeof n === 'string')) {
      throw badRequest(
        'InvalidPolicyParameters',
        "Parameter 'excludedNamespaces' must be an array of strings.",
      );
    }
    return undefined;
  },
  render(_ctx, record, _body, props) {
    props.scope = `/subscriptions/${record.subscriptionId}/resourceGroups/${record.resourceGroup}`;
    props.enforcementMode ??= 'Default';
    delete props.provisioningState;
  },
};
