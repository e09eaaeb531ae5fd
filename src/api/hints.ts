/**
 * One line of advice per ARM error code: what to do about a failure, shown by the CLI, the status
 * page and the topology answer next to ARM's own message. Pure data, no imports: the page embeds it.
 */
const hints: Record<string, string> = {
  quotaexceeded:
    'Raise the regional vCPU quota for that VM family (Azure portal: Quotas), or ask for fewer or smaller nodes, then apply again; what exists is kept.',
  operationnotallowed:
    'Usually a quota or policy limit: check the message, raise the quota or change the spec, then apply again.',
  skunotavailable:
    'That VM size is not offered in this region or zone for your subscription: pick another vmSize or zones, then apply again.',
  zonalallocationfailed:
    'Azure has no capacity for that VM size in that zone right now: retry later, or choose another vmSize or zone.',
  allocationfailed:
    'Azure has no capacity for that VM size right now: retry later, or choose another vmSize.',
  overconstrainedallocationrequest:
    'The size, zone and other constraints cannot be met together: relax one (vmSize or zones) and apply again.',
  authorizationfailed:
    "The app's identity lacks a role on the resource group: grant Network Contributor and Virtual Machine Contributor, then apply again.",
  linkedauthorizationfailed:
    "The app's identity lacks a role on a linked resource (brought VNet or NSG): grant it there, then apply again.",
  resourcegroupnotfound:
    'Create the resource group first (the provisioner never creates one), or fix resourceGroup in the spec.',
  resourcenotfound:
    'A resource the cluster depends on is missing (a brought VNet, subnet or NSG?): create it or fix the spec, then apply again.',
  invalidresourcereference:
    'A reference points at something that does not exist (a brought VNet or NSG?): fix the spec, then apply again.',
  invalidparameter:
    'ARM refused a value from the spec: correct the field named in the message and apply again.',
  badrequest: 'ARM refused the request: correct what the message names and apply again.',
  netcfgsubnetrangeoutsidevnet:
    'A subnet CIDR lies outside the VNet address space: fix the CIDRs in the spec.',
  inusesubnetcannotbedeleted:
    'Something outside the cluster still uses the subnet: remove it, then delete again.',
  toomanyrequests:
    'ARM is throttling this subscription: wait a minute and apply again; nothing is written twice.',
  anotheroperationinprogress: 'Another operation holds the resource: wait for it to finish and apply again.',
  orchestrationfailed:
    'The orchestration stopped unexpectedly: apply again to resume; the host log has details.',
  activityfailed:
    'A step failed outside ARM (settings, network): check the message and the app settings, then apply again.',
};

/** The hint for an ARM error code; a generic one for codes without their own. */
export function hintFor(code: string): string {
  return (
    hints[code.toLowerCase()] ??
    'Fix what the message names, then apply the same spec again: resources that exist are kept and not rewritten.'
  );
}

/** Every code that has its own hint, with it (for the status page). */
export function allHints(): Readonly<Record<string, string>> {
  return hints;
}
