// Seed data: deterministic, realistic in shape, and consistent with itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateSeed } from '../../scripts/lib/seed.ts';

describe('generateSeed', () => {
  const opts = { seed: 42, leads: 300, start: '2026-09-14', weeks: 6 };

  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(generateSeed(opts), generateSeed(opts));
    assert.notDeepEqual(generateSeed(opts).leads, generateSeed({ ...opts, seed: 43 }).leads);
  });

  it('produces consistent, realistic records', () => {
    const d = generateSeed(opts);
    assert.equal(d.leads.length, 300);
    const leadIds = new Set(d.leads.map((l) => l.Id));
    const userIds = new Set(d.users.map((u) => u.Id));
    const queueIds = new Set(d.queues.map((q) => q.Id));
    for (const t of [...d.tasks, ...d.events])
      assert.ok(leadIds.has(t.WhoId), 'activities point at seeded leads');
    for (const l of d.leads)
      assert.ok(userIds.has(l.OwnerId) || queueIds.has(l.OwnerId), 'owners exist');
    // every owner change appears twice, by name and by Id, like LeadHistory
    assert.equal(d.leadHistory.length % 2, 0);
    const start = Date.parse('2026-09-14T04:00:00Z');
    const end = start + 6 * 7 * 86_400_000;
    for (const l of d.leads) {
      const t = Date.parse(l.CreatedDate);
      assert.ok(t >= start && t < end, `lead ${l.Id} arrives in the window`);
    }
    const share = (p: (l: Record<string, string>) => boolean): number =>
      d.leads.filter(p).length / d.leads.length;
    assert.ok(
      share((l) => l.LeadSource === 'Content Download') > 0.15,
      'content downloads are common'
    );
    assert.ok(share((l) => l.LeadSource === 'Demo Request') < 0.25, 'demo requests are fewer');
    assert.ok(
      d.tasks.some((t) => t.TaskSubtype === 'ListEmail'),
      'autoresponders exist'
    );
    assert.ok(
      d.users.some((u) => u.IsActive === 'false'),
      'one rep has left'
    );
  });

  it('rejects impossible options', () => {
    assert.throws(
      () => generateSeed({ ...opts, leads: 0 }),
      /leads must be a positive whole number/
    );
    assert.throws(() => generateSeed({ ...opts, start: 'soon' }), /start "soon" is not a date/);
  });
});
