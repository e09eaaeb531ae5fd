import { planCluster } from '../../../src/cluster/plan';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { inDependencyOrder } from '../../../src/functions/scaling/repairCluster';
import { iaasInput, SUBSCRIPTION_ID } from '../cluster/fixtures';

describe('inDependencyOrder (cluster repair)', () => {
  it('puts every resource after what it depends on, whatever order it gets', () => {
    const parsed = parseClusterSpec(iaasInput());
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const plan = planCluster(parsed.spec, { subscriptionId: SUBSCRIPTION_ID });
    const ordered = inDependencyOrder([...plan.resources].reverse());
    expect(ordered).toHaveLength(plan.resources.length);
    const position = new Map(ordered.map((r, i) => [r.id.toLowerCase(), i]));
    for (const r of ordered) {
      for (const dep of r.dependsOn) {
        const at = position.get(dep.toLowerCase());
        if (at !== undefined) expect(at).toBeLessThan(position.get(r.id.toLowerCase())!);
      }
    }
  });
});
