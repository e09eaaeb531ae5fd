/**
 * Azure naming rules per resource type (length and allowed characters), from Microsoft's
 * "Naming rules and restrictions for Azure resources". Checked before anything is provisioned so a
 * bad name fails in validation with its field path instead of minutes later as an ARM 400.
 */

export interface NamingRule {
  /** What the name is for, used in messages. */
  what: string;
  min: number;
  max: number;
  pattern: RegExp;
  /** Human description of `pattern`. */
  allowed: string;
}

// Network resource names share one rule: start alphanumeric, end alphanumeric or underscore,
// letters, digits, underscores, periods and hyphens in between.
const networkName = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const networkAllowed =
  'letters, digits, underscores, periods and hyphens; start with a letter or digit, end with a letter, digit or underscore';

export const namingRules = {
  /**
   * Our cluster name becomes part of every resource name and of each node's host name (an
   * RFC 1123 label, as Kubernetes node names must be), so it is stricter than any single Azure
   * rule. 40 characters leaves room for `-<pool>-<index>` within the 63-character label.
   */
  cluster: {
    what: 'cluster name',
    min: 1,
    max: 40,
    pattern: /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/,
    allowed: 'lowercase letters, digits and hyphens; start with a letter, end with a letter or digit',
  },
  resourceGroup: {
    what: 'resource group name',
    min: 1,
    max: 90,
    pattern: /^[-\w.()\p{L}\p{N}]*[-\w()\p{L}\p{N}]$/u,
    allowed: 'letters, digits, underscores, hyphens, periods and parentheses; must not end with a period',
  },
  virtualNetwork: {
    what: 'virtual network name',
    min: 2,
    max: 64,
    pattern: networkName,
    allowed: networkAllowed,
  },
  subnet: { what: 'subnet name', min: 1, max: 80, pattern: networkName, allowed: networkAllowed },
  networkSecurityGroup: {
    what: 'network security group name',
    min: 1,
    max: 80,
    pattern: networkName,
    allowed: networkAllowed,
  },
  /** Node pool names end up in VM and host names; AKS limits Linux pools to 12 lowercase alphanumerics. */
  nodePool: {
    what: 'node pool name',
    min: 1,
    max: 12,
    pattern: /^[a-z][a-z0-9]*$/,
    allowed: 'lowercase letters and digits, starting with a letter',
  },
  dnsPrefix: {
    what: 'DNS prefix',
    min: 1,
    max: 54,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    allowed: 'letters, digits and hyphens; start and end with a letter or digit',
  },
  /** Flux configurations are Kubernetes objects too: an RFC 1123 label, at most 30 characters. */
  fluxConfiguration: {
    what: 'Flux configuration name',
    min: 1,
    max: 30,
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    allowed: 'lowercase letters, digits and hyphens; start and end with a letter or digit',
  },
  linuxAdminUsername: {
    what: 'Linux admin user name',
    min: 1,
    max: 32,
    pattern: /^[a-z_][a-z0-9_-]*$/,
    allowed: 'lowercase letters, digits, underscores and hyphens; start with a letter or underscore',
  },
} as const satisfies Record<string, NamingRule>;

export type NameKind = keyof typeof namingRules;

/** User names Azure refuses for a VM's admin account. */
const reservedAdminUsernames = new Set([
  '1',
  '123',
  'a',
  'actuser',
  'adm',
  'admin',
  'admin1',
  'admin2',
  'administrator',
  'aspnet',
  'backup',
  'console',
  'david',
  'guest',
  'john',
  'owner',
  'root',
  'server',
  'sql',
  'support',
  'support_388945a0',
  'sys',
  'test',
  'test1',
  'test2',
  'test3',
  'user',
  'user1',
  'user2',
  'user3',
  'user4',
  'user5',
]);

/** Returns why `value` is not a valid name of that kind, or undefined when it is. */
export function checkName(kind: NameKind, value: string): string | undefined {
  const rule: NamingRule = namingRules[kind];
  if (value.length < rule.min || value.length > rule.max) {
    return rule.min === rule.max
      ? `${rule.what} must be ${rule.min} characters long (got ${value.length})`
      : `${rule.what} must be ${rule.min} to ${rule.max} characters long (got ${value.length})`;
  }
  if (!rule.pattern.test(value)) return `${rule.what} "${value}" is invalid: use ${rule.allowed}`;
  if (kind === 'linuxAdminUsername' && reservedAdminUsernames.has(value)) {
    return `${rule.what} "${value}" is reserved by Azure; choose another`;
  }
  return undefined;
}
