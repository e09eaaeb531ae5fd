/**
 * Field-level building blocks of the cluster spec (spec.ts): names, CIDRs, source ranges, zones, VM
 * sizes, versions, locations, tags, SSH keys; each refusal names what is wrong.
 */
import { z } from 'zod';

import { cidrBounds, isIpv4Address, parseIpv4Cidr } from './cidr';
import { checkName, type NameKind } from './naming';
import { findRegion, normalizeLocation } from './regions';
import { checkSshPublicKey } from './sshPublicKey';

export const MAX_POOL_NODES = 1000;
export const RESERVED_TAG_PREFIX = 'clusterProvisioner.';
/** Azure allows 50 tags per resource; the planner adds up to five of its own. */
export const MAX_USER_TAGS = 45;
// ---------------------------------------------------------------------------------------------
// Field-level building blocks

export const issue = (ctx: z.RefinementCtx, message: string | undefined): void => {
  if (message !== undefined) ctx.addIssue({ code: 'custom', message });
};

export const nameOf = (kind: NameKind) =>
  z.string().superRefine((value, ctx) => issue(ctx, checkName(kind, value)));

export const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseIpv4Cidr(value);
  if (!parsed.ok) issue(ctx, parsed.message);
});

/** A source range for a firewall rule: a CIDR, or a single address (taken as /32). */
export const sourceRange = z
  .string()
  .superRefine((value, ctx) => {
    if (isIpv4Address(value)) return;
    const parsed = parseIpv4Cidr(value);
    if (!parsed.ok) issue(ctx, parsed.message);
  })
  .transform((value) => (isIpv4Address(value) ? `${value}/32` : value));

export const uniqueList = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.array(item).superRefine((values, ctx) => {
    const first = new Map<string, number>();
    values.forEach((value, index) => {
      if (first.has(value)) {
        ctx.addIssue({ code: 'custom', message: `duplicate ${what} "${value}"`, path: [index] });
      } else first.set(value, index);
    });
  });

/**
 * Source ranges, each once and none inside another: `10.0.0.0/8` with `10.1.0.0/16` is refused
 * (naming both) rather than silently merged, since the narrower one was probably meant to be
 * something else. Sorted, then one sweep: O(n log n) however long the list.
 */
export const sourceRanges = uniqueList(sourceRange, 'range').superRefine((values, ctx) => {
  const blocks = values
    .map((text, index) => ({ cidr: parseIpv4Cidr(text), index }))
    .flatMap(({ cidr, index }) =>
      cidr.ok ? [{ ...cidrBounds(cidr.cidr), text: cidr.cidr.text, index }] : [],
    )
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let widest: (typeof blocks)[number] | undefined;
  for (const block of blocks) {
    if (widest && block.start <= widest.end && block.text !== widest.text) {
      const [outer, inner] = block.end > widest.end ? [block, widest] : [widest, block];
      ctx.addIssue({
        code: 'custom',
        path: [inner.index],
        message: `${inner.text} is inside ${outer.text} (item [${outer.index}]), so it adds nothing: drop it`,
      });
    }
    if (!widest || block.end > widest.end) widest = block;
  }
});

/**
 * Default pod and service ranges of an IaaS cluster: the first candidate that overlaps neither the
 * VNet nor the other range (kubeadm's own defaults first). See applyDefaults.ts.
 */
export const IAAS_POD_CIDR_CANDIDATES = ['10.244.0.0/16', '192.168.0.0/16', '172.16.0.0/16', '100.64.0.0/16'];
export const IAAS_SERVICE_CIDR_CANDIDATES = [
  '10.96.0.0/12',
  '172.20.0.0/16',
  '100.96.0.0/16',
  '192.168.0.0/20',
];

/** The widest single range SSH may be opened to. */
export const MIN_SSH_PREFIX = 8;

/** YAML reads `zones: [1, 2, 3]` as numbers; ARM wants strings. */
export const zone = z.union([z.string(), z.number().int()]).transform((value) => String(value));
export const zones = uniqueList(zone, 'zone');

/**
 * Azure VM sizes: `Standard_<family><vCPUs>[-<constrained vCPUs>][<features>][_<suffix>...]`, e.g.
 * Standard_D4s_v5, Standard_E64-32s_v5, Standard_NC24ads_A100_v4.
 */
export const VM_SIZE_PATTERN = /^Standard_[A-Z]{1,3}[0-9]+(?:-[0-9]+)?[a-z]*(?:_[A-Za-z0-9]+)*$/;
export const vmSize = z.string().regex(VM_SIZE_PATTERN, {
  message: 'not an Azure VM size such as Standard_D4s_v5 (Standard_<family><vCPUs>...)',
});

/** Premium SSDs need a size that supports premium storage: an `s` feature letter, a DS/GS-style family, or M-series. */
export function vmSizeSupportsPremiumStorage(size: string): boolean {
  const match = /^Standard_([A-Z]{1,3})[0-9]+(?:-[0-9]+)?([a-z]*)/.exec(size);
  if (!match) return false;
  const family = match[1] ?? '';
  const features = match[2] ?? '';
  return features.includes('s') || family.slice(1).includes('S') || family.startsWith('M');
}

export const count = (max: number) => z.number().int().min(0).max(max);

export const kubernetesVersion = z
  .string({
    error: (iss) =>
      iss.input === undefined
        ? 'required: a Kubernetes version such as "1.33" or "1.33.2"'
        : 'must be a string such as "1.33" (quote it in YAML: 1.30 unquoted is the number 1.3)',
  })
  .regex(/^\d+\.\d+(?:\.\d+)?$/, { message: 'not a Kubernetes version such as "1.33" or "1.33.2"' });

export const location = z
  .string()
  .superRefine((value, ctx) => {
    if (!findRegion(value)) {
      issue(ctx, `unknown Azure region "${value}"; use an ARM location name such as eastus or westeurope`);
    }
  })
  .transform(normalizeLocation);

export const tags = z.record(z.string(), z.string()).superRefine((record, ctx) => {
  const keys = Object.keys(record);
  if (keys.length > MAX_USER_TAGS) {
    issue(ctx, `at most ${MAX_USER_TAGS} tags (Azure allows 50 and the provisioner adds its own)`);
  }
  for (const key of keys) {
    const value = record[key] ?? '';
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `tag names starting with "${RESERVED_TAG_PREFIX}" are reserved`,
      });
    } else if (key.length < 1 || key.length > 512 || /[<>%&\\?/]/.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'tag names are 1-512 characters without < > % & \\ ? /',
      });
    } else if (value.length > 256) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'tag values are at most 256 characters' });
    }
  }
});

export const sshPublicKey = z.string().superRefine((value, ctx) => issue(ctx, checkSshPublicKey(value)));

export const ssh = z.strictObject({
  publicKey: sshPublicKey,
  adminUsername: nameOf('linuxAdminUsername').default('azureuser'),
});

export const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    message: 'not a GUID (object ids and tenant ids look like 00000000-0000-0000-0000-000000000000)',
  });

export const common = {
  name: nameOf('cluster'),
  resourceGroup: nameOf('resourceGroup'),
  location,
  kubernetesVersion,
  tags: tags.default({}),
  onFailure: z.enum(['keep', 'rollback']).default('keep'),
};

export const autoscaleBounds = {
  minCount: count(MAX_POOL_NODES).optional(),
  maxCount: count(MAX_POOL_NODES).optional(),
};
