/**
 * Deterministic demo data for a speed-to-lead org: reps with managers and time zones, queues,
 * lead sources and types in realistic proportions, arrivals that follow business hours with
 * after-hours and weekend tails, queue waits, reassignments, touches by type, autoresponders,
 * misses, disqualified and converted leads (with their opportunities; faster response converts
 * somewhat better), re-engagements (a content download that comes back weeks later as a demo
 * request: a new engagement cycle, with LeadHistory rows for the engagement field) and a few
 * likely duplicates (the same person filling a form twice). The same seed always yields the same
 * data set.
 * Pure: the CLI writes it as an export folder or into an org.
 */
import { DateTime } from 'luxon';
import { BusinessCalendar, type HolidaySpec, type WeeklyHours } from './business-time.ts';

export interface SeedOptions {
  seed: number;
  leads: number;
  /** first day of arrivals (a Monday is a good start), YYYY-MM-DD in the business hours' zone */
  start: string;
  weeks: number;
}

export type Row = Record<string, string>;

/** The Lead field the seeded marketing platform writes on every form submission. */
export const SEED_ENGAGEMENT_FIELD = 'FormSubmittedAt__c';
/** Sources that come from a form (the others, a trade show or a partner, have no form time). */
const FORM_SOURCES = ['Demo Request', 'Contact Sales', 'Content Download', 'Webinar', 'Web'];

export interface SeedUser {
  Id: string;
  FirstName: string;
  LastName: string;
  Name: string;
  Username: string;
  Email: string;
  Title: string;
  IsActive: string;
  ManagerId: string;
  TimeZoneSidKey: string;
  UserType: string;
}

export interface SeedData {
  users: SeedUser[];
  queues: Row[];
  businessHours: Row[];
  holidays: Row[];
  leads: Row[];
  leadHistory: Row[];
  tasks: Row[];
  events: Row[];
  opportunities: Row[];
  /** the Lead field holding the engagement time (set it as EngagementSourceField__c) */
  engagementField: string;
  /** the business hours the data was generated against */
  hours: WeeklyHours;
  holidaySpecs: HolidaySpec[];
}

/** mulberry32: small, fast, and good enough for demo data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONE = 'America/New_York';
const MIN = 60_000;

const FIRST = [
  'Ava',
  'Liam',
  'Maya',
  'Noah',
  'Zoe',
  'Ethan',
  'Priya',
  'Lucas',
  'Chloe',
  'Mateo',
  'Aisha',
  'Owen',
  'Hana',
  'Diego',
  'Nora',
  'Felix',
  'Leila',
  'Jonas',
  'Ines',
  'Ravi',
  'Grace',
  'Tomas',
  'Sofia',
  'Kenji',
  'Emma',
  'Omar',
  'Lena',
  'Caleb',
  'Mira',
  'Hugo'
];
const LAST = [
  'Okafor',
  'Lindqvist',
  'Patel',
  'Moreau',
  'Nakamura',
  'Garcia',
  'Schmidt',
  'Kowalski',
  'Byrne',
  'Rossi',
  'Haddad',
  'Novak',
  'Silva',
  'Chen',
  'Dubois',
  'Andersen',
  'Fischer',
  'Ibrahim',
  'Murphy',
  'Costa',
  'Larsen',
  'Ortiz',
  'Weber',
  'Kim',
  'Brennan',
  'Mendes'
];
const COMPANY_A = [
  'Northwind',
  'Bluepeak',
  'Granite',
  'Lumen',
  'Harbor',
  'Vertex',
  'Cobalt',
  'Juniper',
  'Summit',
  'Redwood',
  'Atlas',
  'Nimbus',
  'Beacon',
  'Orchid',
  'Quarry',
  'Tidal',
  'Maple',
  'Ironleaf'
];
const COMPANY_B = [
  'Labs',
  'Logistics',
  'Health',
  'Analytics',
  'Foods',
  'Energy',
  'Systems',
  'Capital',
  'Retail',
  'Robotics'
];

/** Lead sources with their share of inbound volume. */
const SOURCES: [string, number][] = [
  ['Demo Request', 0.12],
  ['Contact Sales', 0.08],
  ['Content Download', 0.28],
  ['Webinar', 0.14],
  ['Web', 0.2],
  ['Partner Referral', 0.06],
  ['Trade Show', 0.12]
];
const RATINGS: [string, number][] = [
  ['Hot', 0.15],
  ['Warm', 0.35],
  ['Cold', 0.3],
  ['', 0.2]
];

export function seedBusinessHours(): WeeklyHours {
  const day = { start: '08:00', end: '18:00' };
  return {
    timeZone: ZONE,
    days: {
      monday: day,
      tuesday: day,
      wednesday: day,
      thursday: day,
      friday: day,
      saturday: null,
      sunday: null
    }
  };
}

export function seedHolidaySpecs(): HolidaySpec[] {
  return [
    {
      name: 'Thanksgiving',
      activityDate: '2020-11-26',
      isAllDay: true,
      isRecurrence: true,
      recurrenceType: 'RecursYearlyNth',
      recurrenceInstance: 'Fourth',
      recurrenceDayOfWeekMask: 16,
      recurrenceMonthOfYear: 'November',
      recurrenceStartDate: '2020-11-26'
    },
    {
      name: 'Independence Day',
      activityDate: '2020-07-04',
      isAllDay: true,
      isRecurrence: true,
      recurrenceType: 'RecursYearly',
      recurrenceDayOfMonth: 4,
      recurrenceMonthOfYear: 'July',
      recurrenceStartDate: '2020-07-04'
    },
    {
      name: 'Labor Day',
      activityDate: '2020-09-07',
      isAllDay: true,
      isRecurrence: true,
      recurrenceType: 'RecursYearlyNth',
      recurrenceInstance: 'First',
      recurrenceDayOfWeekMask: 2,
      recurrenceMonthOfYear: 'September',
      recurrenceStartDate: '2020-09-07'
    }
  ];
}

function pick<T>(r: () => number, weighted: [T, number][]): T {
  let x = r() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) {
    if ((x -= w) < 0) return v;
  }
  return weighted[weighted.length - 1][0];
}

/** Log-normal minutes with the given median; sigma controls the tail. */
function lognormal(r: () => number, median: number, sigma: number): number {
  const u = Math.max(r(), 1e-12);
  const v = r();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}

const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12, '0')}`;
const iso = (ms: number): string => new Date(ms).toISOString();

interface Rep {
  user: SeedUser;
  /** median business minutes to first touch */
  pace: number;
  weight: number;
}

/** Receives the generated rows of the large tables as they are made, in generation order. */
export interface SeedSink {
  /** a lead row and the time of its first human touch (null: never touched) */
  lead(row: Row, firstTouchAt: number | null): void;
  leadHistory(row: Row): void;
  task(row: Row): void;
  event(row: Row): void;
  opportunity(row: Row): void;
}

/** The small tables and settings of a data set (everything but the streamed rows). */
export type SeedStatic = Omit<
  SeedData,
  'leads' | 'leadHistory' | 'tasks' | 'events' | 'opportunities'
>;

/**
 * Generates the data set row by row into `sink` without holding the large tables, so a million
 * leads can go straight to disk. The rows are those of `generateSeed` in generation order
 * (unsorted) and without its likely-duplicate pass, which needs every lead at once.
 */
export function streamSeed(options: SeedOptions, sink: SeedSink): SeedStatic {
  return emitSeed(options, sink).data;
}

export function generateSeed(options: SeedOptions): SeedData {
  const leads: Row[] = [];
  const leadHistory: Row[] = [];
  const tasks: Row[] = [];
  const events: Row[] = [];
  const opportunities: Row[] = [];
  const firstTouch = new Map<string, number | null>();
  const { data, r } = emitSeed(options, {
    lead: (row, firstTouchAt) => {
      firstTouch.set(row.Id, firstTouchAt);
      leads.push(row);
    },
    leadHistory: (row) => leadHistory.push(row),
    task: (row) => tasks.push(row),
    event: (row) => events.push(row),
    opportunity: (row) => opportunities.push(row)
  });
  // likely duplicates: now and then a person fills a form twice within a quarter of an hour, before anyone
  // answered the first: the second lead takes the first one's name, company and email (the
  // email's case may differ; the audit ignores case)
  const inOrder = [...leads].sort(
    (a, b) => a.CreatedDate.localeCompare(b.CreatedDate) || a.Id.localeCompare(b.Id)
  );
  for (let i = 1; i < inOrder.length; i++) {
    const a = inOrder[i - 1];
    const b = inOrder[i];
    const gap = Date.parse(b.CreatedDate) - Date.parse(a.CreatedDate);
    const aTouch = firstTouch.get(a.Id) ?? null;
    if (gap <= 0 || gap > 15 * MIN || (aTouch !== null && aTouch <= Date.parse(b.CreatedDate)))
      continue;
    if (a.Status === 'Unqualified' || r() >= 0.35) continue;
    b.FirstName = a.FirstName;
    b.LastName = a.LastName;
    b.Company = a.Company;
    b.Email = r() < 0.5 ? a.Email : a.Email.charAt(0).toUpperCase() + a.Email.slice(1);
    i++; // a lead is duplicated at most once
  }
  const byTime = (a: Row, b: Row): number =>
    a.CreatedDate.localeCompare(b.CreatedDate) || a.Id.localeCompare(b.Id);
  leadHistory.sort(byTime);
  opportunities.sort(byTime);
  tasks.sort(byTime);
  events.sort(byTime);
  return {
    users: data.users,
    queues: data.queues,
    businessHours: data.businessHours,
    holidays: data.holidays,
    leads,
    leadHistory,
    tasks,
    events,
    opportunities,
    engagementField: data.engagementField,
    hours: data.hours,
    holidaySpecs: data.holidaySpecs
  };
}

function emitSeed(options: SeedOptions, sink: SeedSink): { data: SeedStatic; r: () => number } {
  if (!Number.isInteger(options.leads) || options.leads < 1) {
    throw new RangeError(`leads must be a positive whole number, got ${options.leads}`);
  }
  if (!Number.isInteger(options.weeks) || options.weeks < 1) {
    throw new RangeError(`weeks must be a positive whole number, got ${options.weeks}`);
  }
  const startDay = DateTime.fromISO(options.start, { zone: ZONE });
  if (!startDay.isValid)
    throw new RangeError(`start "${options.start}" is not a date (YYYY-MM-DD)`);
  const r = rng(options.seed);
  const hours = seedBusinessHours();
  const holidaySpecs = seedHolidaySpecs();
  const cal = new BusinessCalendar(hours, holidaySpecs);

  // people: a VP, two managers, eight reps (one has left), a marketing automation user
  let userN = 0;
  const mkUser = (
    first: string,
    last: string,
    title: string,
    managerId: string,
    zone: string,
    active = true,
    type = 'Standard'
  ): SeedUser => {
    const uid = id('005', ++userN);
    const handle = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    return {
      Id: uid,
      FirstName: first,
      LastName: last,
      Name: `${first} ${last}`,
      Username: `${handle}@acme-demo.test`,
      Email: `${handle}@acme-demo.test`,
      Title: title,
      IsActive: String(active),
      ManagerId: managerId,
      TimeZoneSidKey: zone,
      UserType: type
    };
  };
  const vp = mkUser('Dana', 'Whitfield', 'VP Sales', '', 'America/New_York');
  const east = mkUser('Marcus', 'Bell', 'Sales Manager, East', vp.Id, 'America/New_York');
  const west = mkUser('Elena', 'Ruiz', 'Sales Manager, West', vp.Id, 'America/Los_Angeles');
  const repSpecs: [string, string, SeedUser, string, number, number, boolean][] = [
    ['Jordan', 'Price', east, 'America/New_York', 4, 1.2, true],
    ['Samira', 'Khan', east, 'America/New_York', 7, 1.2, true],
    ['Tyler', 'Brooks', east, 'America/Chicago', 18, 1.0, true],
    ['Mei', 'Tanaka', east, 'America/Chicago', 11, 1.1, true],
    ['Carlos', 'Vega', west, 'America/Denver', 35, 0.9, true],
    ['Hannah', 'Olsen', west, 'America/Los_Angeles', 9, 1.1, true],
    ['Derek', 'Stone', west, 'America/Los_Angeles', 75, 0.7, true],
    ['Riley', 'Adams', west, 'America/Los_Angeles', 25, 0.4, false]
  ];
  const reps: Rep[] = repSpecs.map(([f, l, mgr, zone, pace, weight, active]) => ({
    user: mkUser(f, l, 'Sales Development Rep', mgr.Id, zone, active),
    pace,
    weight
  }));
  const automation = mkUser(
    'Marketing',
    'Automation',
    'Integration',
    '',
    'America/New_York',
    true,
    'Standard'
  );
  const users = [vp, east, west, ...reps.map((x) => x.user), automation];
  const activeReps = reps.filter((x) => x.user.IsActive === 'true');
  const inactiveRep = reps.find((x) => x.user.IsActive !== 'true') as Rep;
  const queues: Row[] = [
    { Id: id('00G', 1), Name: 'Inbound Leads', DeveloperName: 'InboundLeads', Type: 'Queue' },
    { Id: id('00G', 2), Name: 'Enterprise Leads', DeveloperName: 'EnterpriseLeads', Type: 'Queue' }
  ];

  const t = (s: string): string => `${s}:00.000Z`;
  const businessHours: Row[] = [
    {
      Id: '01m000000000001',
      Name: 'Default',
      IsActive: 'true',
      IsDefault: 'true',
      TimeZoneSidKey: ZONE,
      ...Object.fromEntries(
        (
          ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const
        ).flatMap((d) => {
          const h = hours.days[d.toLowerCase() as keyof WeeklyHours['days']];
          return [
            [`${d}StartTime`, h ? t(h.start) : ''],
            [`${d}EndTime`, h ? t(h.end) : '']
          ];
        })
      )
    }
  ];
  const holidays: Row[] = holidaySpecs.map((h, i) => ({
    Id: id('0C0', i + 1),
    Name: h.name,
    ActivityDate: h.activityDate,
    IsAllDay: String(h.isAllDay),
    IsRecurrence: String(h.isRecurrence ?? false),
    RecurrenceType: h.recurrenceType ?? '',
    RecurrenceInstance: h.recurrenceInstance ?? '',
    RecurrenceDayOfWeekMask:
      h.recurrenceDayOfWeekMask === undefined ? '' : String(h.recurrenceDayOfWeekMask),
    RecurrenceDayOfMonth:
      h.recurrenceDayOfMonth === undefined ? '' : String(h.recurrenceDayOfMonth),
    RecurrenceMonthOfYear: h.recurrenceMonthOfYear ?? '',
    RecurrenceStartDate: h.recurrenceStartDate ?? '',
    RecurrenceEndDateOnly: ''
  }));

  let historyN = 0;
  let oppN = 0;
  let taskN = 0;
  let eventN = 0;
  const nameOf = new Map<string, string>([
    ...users.map((u): [string, string] => [u.Id, u.Name]),
    ...queues.map((q): [string, string] => [q.Id, q.Name])
  ]);
  const fieldChange = (
    leadId: string,
    at: number,
    field: string,
    from: string,
    to: string
  ): void => {
    sink.leadHistory({
      Id: id('017', ++historyN),
      LeadId: leadId,
      Field: field,
      OldValue: from,
      NewValue: to,
      CreatedDate: iso(at)
    });
  };
  const ownerChange = (leadId: string, at: number, from: string, to: string): void => {
    // the platform records each owner change twice: once with names, once with Ids
    for (const [o, n] of [
      [nameOf.get(from) ?? from, nameOf.get(to) ?? to],
      [from, to]
    ]) {
      sink.leadHistory({
        Id: id('017', ++historyN),
        LeadId: leadId,
        Field: 'Owner',
        OldValue: o,
        NewValue: n,
        CreatedDate: iso(at)
      });
    }
  };
  const addTask = (
    leadId: string,
    at: number,
    ownerId: string,
    subtype: string,
    subject: string,
    type = ''
  ): void => {
    sink.task({
      Id: id('00T', ++taskN),
      WhoId: leadId,
      Subject: subject,
      TaskSubtype: subtype,
      Type: type,
      Status: 'Completed',
      OwnerId: ownerId,
      CreatedById: ownerId,
      CreatedDate: iso(at),
      ActivityDate: DateTime.fromMillis(at, { zone: ZONE }).toISODate() as string
    });
  };

  const totalDays = options.weeks * 7;
  const weekOf = (ms: number): number => Math.floor((ms - startDay.toMillis()) / (7 * 86_400_000));
  for (let n = 1; n <= options.leads; n++) {
    const leadId = id('00Q', n);
    // arrival: 74% in business hours (peaks mid-morning and mid-afternoon), 19% weekday
    // evenings and nights, 7% weekends
    let arrival: DateTime;
    for (;;) {
      const day = startDay.plus({ days: Math.floor(r() * totalDays) });
      const weekend = day.weekday >= 6;
      const kind = r();
      if (weekend && kind > 0.25) continue; // weekend volume is about a quarter of a weekday's
      let minute: number;
      if (!weekend && kind < 0.8) {
        minute =
          pick(r, [
            [8 * 60, 0.08],
            [9 * 60, 0.13],
            [10 * 60, 0.17],
            [11 * 60, 0.14],
            [12 * 60, 0.09],
            [13 * 60, 0.11],
            [14 * 60, 0.14],
            [15 * 60, 0.1],
            [16 * 60, 0.08],
            [17 * 60, 0.06]
          ]) + Math.floor(r() * 60);
      } else {
        minute =
          pick(r, [
            [0, 0.05],
            [6 * 60, 0.15],
            [18 * 60, 0.4],
            [20 * 60, 0.3],
            [22 * 60, 0.1]
          ]) + Math.floor(r() * 120);
      }
      arrival = day.set({
        hour: Math.floor(minute / 60) % 24,
        minute: minute % 60,
        second: Math.floor(r() * 60)
      });
      break;
    }
    const createdAt = arrival.toMillis();
    const week = weekOf(createdAt);
    const source = pick(r, SOURCES);
    const rating =
      source === 'Demo Request' || source === 'Contact Sales'
        ? pick(r, [
            ['Hot', 0.6],
            ['Warm', 0.4]
          ])
        : pick(r, RATINGS);
    const handRaiser = source === 'Demo Request' || source === 'Contact Sales';
    const first = FIRST[Math.floor(r() * FIRST.length)];
    const last = LAST[Math.floor(r() * LAST.length)];
    const company = `${COMPANY_A[Math.floor(r() * COMPANY_A.length)]} ${COMPANY_B[Math.floor(r() * COMPANY_B.length)]}`;
    const email =
      `${first}.${last}${n}@${company.toLowerCase().replace(/[^a-z]/g, '')}.com`.toLowerCase();

    // routing: hand-raisers and most others go straight to a rep; a third wait in a queue, and
    // queue waits creep up in the later weeks (a routing change that nobody noticed)
    let rep = pick(
      r,
      activeReps.map((x): [Rep, number] => [x, x.weight])
    );
    const queued = r() < (handRaiser ? 0.35 : 0.65);
    const queue = company.endsWith('Capital') || company.endsWith('Energy') ? queues[1] : queues[0];
    let owner = queued ? queue.Id : rep.user.Id;
    let assignedAt: number | null = queued ? null : createdAt;
    if (queued) {
      const creep = week >= options.weeks - 3 ? 4 : 1;
      // in hours a queue is worked within minutes; after hours it waits for the next opening
      const inHours = cal.isWithin(createdAt);
      const pickedUp = inHours
        ? createdAt + Math.round(lognormal(r, 9 * creep, 0.8) * MIN)
        : cal.nextStartDate(createdAt) + Math.round(lognormal(r, 25 * creep, 0.7) * MIN);
      const stuck = r() < 0.015; // never picked up: the queue safety net should find these
      if (!stuck) {
        assignedAt = pickedUp;
        ownerChange(leadId, assignedAt, queue.Id, rep.user.Id);
        owner = rep.user.Id;
      }
    }
    // a few leads still sit with the rep who left
    if (!queued && r() < 0.02) {
      rep = inactiveRep;
      owner = rep.user.Id;
    }
    const disqualified = r() < 0.05;
    const neverTouched = rep === inactiveRep || assignedAt === null || r() < 0.05;
    // autoresponder: immediate email from marketing automation (ListEmail never counts)
    if (['Content Download', 'Webinar', 'Web'].includes(source) && r() < 0.6) {
      const auto = createdAt + Math.round((0.2 + r()) * MIN);
      sink.task({
        Id: id('00T', ++taskN),
        WhoId: leadId,
        Subject: `Thanks for your interest, ${first}`,
        TaskSubtype: 'ListEmail',
        Type: 'Email',
        Status: 'Completed',
        OwnerId: automation.Id,
        CreatedById: automation.Id,
        CreatedDate: iso(auto),
        ActivityDate: DateTime.fromMillis(auto, { zone: ZONE }).toISODate() as string
      });
    }
    let touchAt: number | null = null;
    if (!neverTouched && assignedAt !== null) {
      // reassignment before the touch in about one lead in ten
      if (r() < 0.1) {
        const other =
          activeReps[
            (activeReps.indexOf(rep) + 1 + Math.floor(r() * (activeReps.length - 1))) %
              activeReps.length
          ];
        const at = cal.add(assignedAt, Math.round(lognormal(r, 20, 0.8)) * MIN);
        ownerChange(leadId, at, rep.user.Id, other.user.Id);
        owner = other.user.Id;
        rep = other;
      }
      // human delay in business minutes: the rep's pace, faster for hand-raisers, slower in a
      // bad week (week 5: two reps out at a conference)
      const busy = week === Math.min(4, options.weeks - 1) ? 3 : 1;
      const pace = rep.pace * (handRaiser ? 0.45 : 1) * busy * (rating === 'Cold' ? 2 : 1);
      const businessMinutes = Math.max(1, Math.round(lognormal(r, pace, 1.0)));
      touchAt = cal.add(assignedAt, businessMinutes * MIN) + Math.floor(r() * 50_000);
      const kind = pick(r, [
        ['Call', 0.5],
        ['Email', 0.33],
        ['LinkedIn', 0.12],
        ['Meeting', 0.05]
      ]);
      if (kind === 'Meeting') {
        sink.event({
          Id: id('00U', ++eventN),
          WhoId: leadId,
          Subject: `Intro meeting: ${company}`,
          Type: 'Meeting',
          OwnerId: owner,
          CreatedById: owner,
          CreatedDate: iso(touchAt),
          StartDateTime: iso(cal.add(touchAt, 24 * 60 * MIN)),
          EndDateTime: iso(cal.add(touchAt, 24 * 60 * MIN) + 30 * MIN)
        });
      } else if (kind === 'LinkedIn') {
        addTask(
          leadId,
          touchAt,
          owner,
          'Task',
          `LinkedIn connection request to ${first}`,
          'LinkedIn'
        );
      } else {
        addTask(
          leadId,
          touchAt,
          owner,
          kind,
          kind === 'Call' ? `Call ${first} ${last}` : `Re: your ${source.toLowerCase()}`,
          kind
        );
      }
      // follow-ups: about three activities per lead in all
      const followUps = Math.floor(r() * 4);
      let at = touchAt;
      for (let f = 0; f < followUps; f++) {
        at = cal.add(at, Math.round(lognormal(r, 600, 0.6)) * MIN);
        const kindF = r() < 0.6 ? 'Call' : 'Email';
        addTask(leadId, at, owner, kindF, `Follow-up ${kindF.toLowerCase()} ${f + 1}`, kindF);
      }
    }
    // re-engagement: about one form lead in seven that is not a hand-raiser comes back one to
    // thirteen business days later, mostly as a demo request (a hand-raise: a new cycle even if
    // the first is still open), sometimes with another download (a new cycle only if the first
    // is closed); the form time arrives with a sync lag of under a minute
    let engagedAt = createdAt;
    let leadSource = source;
    let lastTouchAt = touchAt;
    let lastEngagedAt = createdAt;
    let reEngagedAsHandRaiser = false;
    const endMs = startDay.plus({ days: totalDays }).toMillis();
    if (FORM_SOURCES.includes(source) && !handRaiser && !disqualified && r() < 0.15) {
      const back =
        cal.add(createdAt, Math.round((1 + r() * 12) * 600) * MIN) + Math.floor(r() * 3_000_000);
      const demo = r() < 0.65;
      const savedAt = back + Math.floor(5_000 + r() * 50_000);
      if (savedAt < endMs) {
        fieldChange(leadId, savedAt, SEED_ENGAGEMENT_FIELD, iso(createdAt), iso(back));
        if (demo) {
          fieldChange(leadId, savedAt, 'LeadSource', source, 'Demo Request');
          leadSource = 'Demo Request';
          reEngagedAsHandRaiser = true;
        }
        engagedAt = back;
        lastEngagedAt = back;
        // the rep who owns the lead answers the new hand-raise at their own pace
        const ownerRep = reps.find((x) => x.user.Id === owner);
        if (ownerRep && ownerRep !== inactiveRep && r() > 0.08) {
          const pace2 = ownerRep.pace * (demo ? 0.45 : 1);
          const touch2 =
            cal.add(back, Math.max(1, Math.round(lognormal(r, pace2, 1.0))) * MIN) +
            Math.floor(r() * 50_000);
          if (touch2 < endMs) {
            addTask(
              leadId,
              touch2,
              owner,
              'Call',
              `Call ${first} ${last} about the ${demo ? 'demo' : 'download'}`,
              'Call'
            );
            lastTouchAt = touch2;
          }
        }
      }
    }
    // faster response converts somewhat better: the chance is scaled by the speed to lead of
    // the last engagement, and stays a chance (noise)
    const speed = lastTouchAt === null ? null : (lastTouchAt - lastEngagedAt) / MIN;
    const speedFactor =
      speed === null
        ? 0
        : speed < 5
          ? 1.6
          : speed < 30
            ? 1.3
            : speed < 60
              ? 1.1
              : speed < 240
                ? 1
                : 0.7;
    const baseChance = handRaiser || reEngagedAsHandRaiser ? 0.3 : 0.08;
    const converted = lastTouchAt !== null && !disqualified && r() < baseChance * speedFactor;
    let convertedAt: number | null = null;
    let opportunityId = '';
    if (converted && lastTouchAt !== null) {
      convertedAt = cal.add(lastTouchAt, Math.round(2 * 600 * (0.5 + r())) * MIN);
      opportunityId = id('006', ++oppN);
      const closed = r() < 0.55;
      const won = closed && r() < (speed !== null && speed < 30 ? 0.5 : 0.32);
      sink.opportunity({
        Id: opportunityId,
        Name: `${company} - new business`,
        Amount: String(Math.round(lognormal(r, 18_000, 0.7) / 100) * 100),
        StageName: closed ? (won ? 'Closed Won' : 'Closed Lost') : 'Qualification',
        IsClosed: String(closed),
        IsWon: String(won),
        CloseDate: DateTime.fromMillis(cal.add(convertedAt, 20 * 600 * MIN), {
          zone: ZONE
        }).toISODate() as string,
        OwnerId: owner,
        CreatedDate: iso(convertedAt)
      });
    }
    const status = disqualified
      ? 'Unqualified'
      : converted
        ? 'Qualified'
        : touchAt !== null
          ? 'Working - Contacted'
          : 'Open - Not Contacted';
    sink.lead(
      {
        Id: leadId,
        FirstName: first,
        LastName: last,
        Company: company,
        Email: email,
        LeadSource: leadSource,
        Rating: rating,
        Status: status,
        [SEED_ENGAGEMENT_FIELD]: FORM_SOURCES.includes(source) ? iso(engagedAt) : '',
        IsConverted: String(converted),
        ConvertedDate:
          convertedAt !== null
            ? (DateTime.fromMillis(convertedAt, { zone: ZONE }).toISODate() as string)
            : '',
        ConvertedOpportunityId: opportunityId,
        OwnerId: owner,
        CreatedById: automation.Id,
        CreatedDate: iso(createdAt)
      },
      touchAt
    );
  }
  return {
    r,
    data: {
      users,
      queues,
      businessHours,
      holidays,
      engagementField: SEED_ENGAGEMENT_FIELD,
      hours,
      holidaySpecs
    }
  };
}
