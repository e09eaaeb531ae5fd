import { keyOf } from '../armTypes';
import type { Reference } from '../providers/provider';

/**
 * Who references whom, kept up to date on every record write and removal, so back-references
 * (an NSG's subnets, a public IP's ipConfiguration) and "cannot delete while in use" are one lookup
 * instead of a scan per type.
 */
export class ReferenceIndex {
  /** target key → referrer key → that referrer's references to it, in body order. */
  private readonly byTarget = new Map<string, Map<string, Reference[]>>();
  /** referrer key → the target keys it references. */
  private readonly byReferrer = new Map<string, Set<string>>();

  set(referrerKey: string, references: readonly Reference[]): void {
    this.remove(referrerKey);
    if (references.length === 0) return;
    const targets = new Set<string>();
    for (const ref of references) {
      const target = keyOf(ref.target);
      targets.add(target);
      let referrers = this.byTarget.get(target);
      if (!referrers) this.byTarget.set(target, (referrers = new Map<string, Reference[]>()));
      const list = referrers.get(referrerKey) ?? [];
      list.push(ref);
      referrers.set(referrerKey, list);
    }
    this.byReferrer.set(referrerKey, targets);
  }

  remove(referrerKey: string): void {
    for (const target of this.byReferrer.get(referrerKey) ?? []) {
      const referrers = this.byTarget.get(target);
      referrers?.delete(referrerKey);
      if (referrers?.size === 0) this.byTarget.delete(target);
    }
    this.byReferrer.delete(referrerKey);
  }

  /** Referrer keys and their references to `targetKey`. */
  referrersOf(targetKey: string): [string, Reference[]][] {
    return [...(this.byTarget.get(targetKey) ?? new Map<string, Reference[]>())];
  }

  clear(): void {
    this.byTarget.clear();
    this.byReferrer.clear();
  }
}
