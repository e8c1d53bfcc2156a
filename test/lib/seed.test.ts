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

  it('seeds re-engagements, double form fills and conversions with opportunities', () => {
    const d = generateSeed({ ...opts, leads: 400, weeks: 8 });
    assert.equal(d.engagementField, 'FormSubmittedAt__c');
    // every engagement-field history row moves the form time later, with a lead that has it
    const writes = d.leadHistory.filter((h) => h.Field === d.engagementField);
    assert.ok(writes.length >= 10, `some leads come back (${writes.length})`);
    const leadsById = new Map(d.leads.map((l) => [l.Id, l]));
    for (const w of writes) {
      assert.ok(Date.parse(w.NewValue) > Date.parse(w.OldValue), 'a later engagement');
      assert.ok(Date.parse(w.CreatedDate) >= Date.parse(w.NewValue), 'saved after the form');
      assert.equal(leadsById.get(w.LeadId)?.[d.engagementField], w.NewValue, 'the lead holds it');
    }
    assert.ok(
      d.leadHistory.some((h) => h.Field === 'LeadSource' && h.NewValue === 'Demo Request'),
      'some come back as demo requests'
    );
    // double form fills: two leads with one email (case aside)
    const emails = d.leads.map((l) => l.Email.toLowerCase());
    assert.ok(emails.length - new Set(emails).size >= 3, 'a few people fill a form twice');
    // every converted lead has its opportunity, and only converted leads have one
    const opps = new Map(d.opportunities.map((o) => [o.Id, o]));
    const converted = d.leads.filter((l) => l.IsConverted === 'true');
    assert.ok(converted.length >= 20, `conversions (${converted.length})`);
    assert.equal(opps.size, converted.length);
    for (const l of d.leads) {
      if (l.IsConverted === 'true') assert.ok(opps.has(l.ConvertedOpportunityId), l.Id);
      else assert.equal(l.ConvertedOpportunityId, '');
    }
    for (const o of d.opportunities) {
      assert.ok(Number(o.Amount) > 0);
      if (o.IsWon === 'true') assert.equal(o.IsClosed, 'true', 'only closed deals are won');
    }
  });

  it('rejects impossible options', () => {
    assert.throws(
      () => generateSeed({ ...opts, leads: 0 }),
      /leads must be a positive whole number/
    );
    assert.throws(() => generateSeed({ ...opts, start: 'soon' }), /start "soon" is not a date/);
  });
});
