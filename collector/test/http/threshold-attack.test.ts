import assert from 'node:assert/strict';
import type { FlowsInsight } from '@node-red-telemetry/protocol';
import { groupValue, Grouping } from '../../src/dashboard/data';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { InProcessCollector, report, startInProcess, StoreKind } from '../helpers/collector-process';
import { parseCsv } from '../helpers/csv';

/**
 * The threshold, attacked as anyone with the public API could: a known fleet
 * with planted rare values over several days is rolled up, then every public
 * view of each day (breakdowns in every grouping, series with every `top` over
 * several ranges, CSV and JSON, /api/usage) is subtracted from, summed with and
 * compared with the others. No count the threshold hides may come out: not a
 * rare value's, not a small "other"'s, not the number of instances counted
 * under two values of a dimension on one day (an upgrader).
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const THRESHOLD = 5;
const DAYS = ['2026-11-17', '2026-11-18', '2026-11-19'];
const FLEET = 100;
const GROUPINGS: Grouping[] = ['exact', 'minor', 'major'];
const TOPS = [1, 2, 6, 20];
const RANGES = ['30', 'all'];
/** Dimensions where each instance is counted once a day: every panel adds up to the day's active instances. */
const ONCE_PER_INSTANCE = ['node-red', 'nodejs', 'os', 'arch', 'client', 'country'];
/** DB-IP places these in the US and in Great Britain; a private address is "unknown". */
const US = '8.8.8.8';
const GB = '81.2.69.160';
const PRIVATE = '10.0.0.1';

interface Env {
  nodeRed: string;
  nodejs: string;
  os: string;
  arch: string;
}

/** One instance on one day: its first report, and, for an upgrader, a second one later that day from `then`. */
interface Member {
  id: number;
  env: Env;
  then?: Partial<Env>;
  address: string;
  groups?: Record<string, unknown>;
}

interface DayPlan {
  day: string;
  members: Member[];
  /** What the threshold must keep from the public: the planted rare counts, for the failure message. */
  secrets: Record<string, number>;
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const flows = (nodes: number): FlowsInsight => ({
  tabs: 2, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes, configNodes: 1, groups: 0, junctions: 0, wires: nodes, modules: 1,
  types: { inject: 1, debug: 1 },
});
const features = {
  adminAuth: true, httpNodeAuth: false, https: false, projects: false, contextStores: { memory: 1, localfilesystem: 0, other: 0 },
  functionExternalModules: false, editorTheme: false, disableEditor: false, storage: 'default',
};
const crash = (day: string, module: string) => ({ lifecycle: { events: [{ type: 'start', day }, { type: 'crash', day, error: 'TypeError', module }] } });

/** The fleet, day by day: mostly common values, with rare ones planted, upgraders, countries and opt-in groups. */
function plans(): DayPlan[] {
  const member = (id: number, env: Partial<Env> = {}): Member => ({
    id,
    env: { nodeRed: '4.1.0', nodejs: '20.11.1', os: 'Linux', arch: 'x64', ...env },
    address: PRIVATE,
  });
  const set = (members: Member[], which: number[], change: (m: Member) => void) => which.forEach((id) => change(members[id - 1]));

  // Day 1: the issue's fleet. Node-RED 4.0.1 on 2, 3.1.0 on 1, 4.1.7 on 3; Node.js 18.19.0 on exactly 5;
  // FreeBSD on 3 (the only rare OS), ia32 on 4 (the only rare architecture), Great Britain on 2;
  // 3 instances upgrade 4.1.0 → 4.1.2 during the day; opt-in groups with a rare bucket, a rare group and a rare module.
  const d1 = ids(1, FLEET).map((id) => member(id));
  set(d1, ids(1, 20), (m) => (m.env.nodeRed = '4.1.2'));
  set(d1, ids(21, 30), (m) => (m.env.nodeRed = '4.0.9'));
  set(d1, ids(31, 32), (m) => (m.env.nodeRed = '4.0.1'));
  set(d1, [33], (m) => (m.env.nodeRed = '3.1.0'));
  set(d1, ids(34, 36), (m) => (m.env.nodeRed = '4.1.7'));
  set(d1, ids(41, 45), (m) => (m.env.nodejs = '18.19.0'));
  set(d1, ids(46, 60), (m) => (m.env.nodejs = '22.11.0'));
  set(d1, ids(61, 63), (m) => (m.env.os = 'FreeBSD'));
  set(d1, ids(64, 75), (m) => (m.env.os = 'Darwin'));
  set(d1, ids(76, 85), (m) => (m.env.os = 'Windows_NT'));
  set(d1, ids(86, 89), (m) => (m.env.arch = 'ia32'));
  set(d1, ids(1, 10), (m) => (m.env.arch = 'arm64'));
  set(d1, ids(90, 92), (m) => (m.then = { nodeRed: '4.1.2' }));
  set(d1, ids(1, 10), (m) => (m.address = US));
  set(d1, ids(11, 12), (m) => (m.address = GB));
  set(d1, ids(1, 9), (m) => (m.groups = { flows: flows(3) }));
  set(d1, ids(10, 12), (m) => (m.groups = { flows: flows(20) }));
  set(d1, ids(13, 14), (m) => (m.groups = { features }));
  set(d1, ids(15, 19), (m) => (m.groups = crash(DAYS[0], 'node-red-contrib-a')));
  set(d1, [20], (m) => (m.groups = crash(DAYS[0], 'node-red-contrib-rare')));

  // Day 2: Node.js 16.20.2 on 4 (the only rare one), Darwin on 1 (the only rare OS), 4 Node.js upgraders.
  const d2 = ids(1, FLEET).map((id) => member(id, { nodeRed: id <= 30 ? '4.1.0' : '4.1.2' }));
  set(d2, ids(1, 4), (m) => (m.env.nodejs = '16.20.2'));
  set(d2, ids(5, 30), (m) => (m.env.nodejs = '22.11.0'));
  set(d2, ids(31, 34), (m) => (m.then = { nodejs: '22.11.0' }));
  set(d2, [35], (m) => (m.env.os = 'Darwin'));
  set(d2, ids(36, 50), (m) => (m.env.os = 'Windows_NT'));
  set(d2, ids(51, 70), (m) => (m.env.arch = 'arm64'));
  set(d2, ids(71, 80), (m) => (m.address = US));

  // Day 3: nothing rare at all, but 2 instances go back from 4.1.2 to 4.1.0.
  const d3 = ids(1, FLEET).map((id) => member(id, { nodeRed: id <= 50 ? '4.1.2' : '4.1.0' }));
  set(d3, ids(1, 2), (m) => (m.then = { nodeRed: '4.1.0' }));
  set(d3, ids(3, 20), (m) => (m.address = US));

  return [
    {
      day: DAYS[0],
      members: d1,
      secrets: {
        'node-red 4.0.1': 2, 'node-red 3.1.0': 1, 'node-red 4.1.7': 3, 'os FreeBSD': 3, 'arch ia32': 4, 'country GB': 2, upgraders: 3,
        'flows.nodes 11-50': 3, 'insight.groups features': 2, 'lifecycle.crash.module node-red-contrib-rare': 1,
      },
    },
    { day: DAYS[1], members: d2, secrets: { 'nodejs 16.20.2': 4, 'os Darwin': 1, upgraders: 4 } },
    { day: DAYS[2], members: d3, secrets: { upgraders: 2 } },
  ];
}

/** Values planted below the threshold: none may appear in any answer. */
const RARE_VALUES = ['4.0.1', '3.1.0', '4.1.7', 'FreeBSD', 'ia32', 'GB', '16.20.2', 'node-red-contrib-rare', 'features'];

/** A published count: a number, or hidden ("fewer than N", none of it in `n`); a series cell may have both. */
interface Cell {
  n: number | null;
  fewerThan: number | null;
}

/** A CSV count cell as a Cell: "12", "fewer than 5", "12 + fewer than 5", or empty. */
function csvCount(text: string): Cell {
  if (text === '') return { n: null, fewerThan: null };
  if (/^\d+$/.test(text)) return { n: Number(text), fewerThan: null };
  const hidden = /^(?:(\d+) \+ )?fewer than (\d+)$/.exec(text);
  assert.ok(hidden, `a count in CSV that is neither a number nor "fewer than N": ${JSON.stringify(text)}`);
  return { n: hidden[1] === undefined ? null : Number(hidden[1]), fewerThan: Number(hidden[2]) };
}

/** Public answers, read field by field as an attacker would. */
type Json = any;

for (const store of STORES) {
  describe(`the threshold under attack from the public API (${store})`, function () {
    this.timeout(300_000);
    const clock = { now: new Date(`${DAYS[0]}T10:00:00Z`) };
    let collector: InProcessCollector;
    const days = plans();

    before(async () => {
      collector = await startInProcess({
        store,
        config: { latest: '4.2.0', threshold: THRESHOLD, trustProxy: 1, country: true, rateLimit: { perInstance: 2, perAddress: 1_000_000 } },
        options: { now: () => clock.now },
      });
      const send = async (m: Member, env: Env, groups: Record<string, unknown> = {}) => {
        const body = report({ os: { type: env.os, release: '6.1.0', arch: env.arch }, env: { nodejs: env.nodejs, 'node-red': env.nodeRed }, ...groups }, m.id);
        const res = await fetch(`${collector.url}/ping`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': m.address },
          body: JSON.stringify(body),
        });
        assert.equal(res.status, 200, await res.text());
      };
      for (const plan of days) {
        clock.now = new Date(`${plan.day}T10:00:00Z`);
        for (let i = 0; i < plan.members.length; i += 25) await Promise.all(plan.members.slice(i, i + 25).map((m) => send(m, m.env, m.groups)));
        // The upgraders' second report, later that day: their last value of the day.
        clock.now = new Date(`${plan.day}T11:30:00Z`);
        for (const m of plan.members) if (m.then) await send(m, { ...m.env, ...m.then });
      }
      clock.now = new Date('2026-11-20T08:00:00Z');
      for (const plan of days) assert.equal((await rollUpFinishedDay(collector.store, plan.day, clock.now, 90)).status, 'aggregated');
    });
    after(() => collector?.stop());

    const texts: string[] = [];
    async function get(path: string): Promise<{ text: string; json: Json }> {
      const res = await fetch(new URL(path, collector.url));
      const text = await res.text();
      assert.equal(res.status, 200, `${path}: ${text}`);
      texts.push(text);
      let json: Json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { text, json };
    }

    it('no view, alone or against another, gives away a count under the threshold', async () => {
      /** Every number an attacker can work out, with how: none may be from 1 to threshold − 1. */
      const derived: Array<{ how: string; n: number }> = [];
      const note = (how: string, n: number) => derived.push({ how, n: Math.abs(n) });
      /** Panels that do not add up to the day's active instances, where each instance counts once. */
      const unequal: string[] = [];
      /** Views that said "fewer than N" where a count would be. */
      const hidden = new Set<string>();
      const noteCell = (how: string, cell: Cell) => {
        if (cell.n !== null) note(how, cell.n);
        if (cell.fewerThan !== null) {
          assert.equal(cell.fewerThan, THRESHOLD, how);
          hidden.add(how.replace(/[?\s].*$/, ''));
        }
      };

      const summary = (await get('/api/v1/summary')).json;
      const dimensions: string[] = summary.dimensions.map((d: { id: string }) => d.id);
      for (const d of ['node-red', 'nodejs', 'os', 'arch', 'client', 'country', 'insight.groups', 'flows.nodes', 'lifecycle.crash.module']) {
        assert.ok(dimensions.includes(d), d);
      }

      // Active instances per day, in every range and both formats: the same numbers.
      const active = new Map<string, number>();
      for (const range of ['30', '90', 'all']) {
        const json = (await get(`/api/v1/instances?range=${range}`)).json;
        const csv = parseCsv((await get(`/api/v1/instances?range=${range}&format=csv`)).text).slice(1);
        assert.deepEqual(csv.map((r) => [r[0], Number(r[1])]), json.days.map((d: Json) => [d.day, d.instances]));
        for (const d of json.days) {
          if (active.has(d.day)) note(`instances on ${d.day}, range ${range} against another range`, active.get(d.day)! - d.instances);
          active.set(d.day, d.instances);
        }
      }
      assert.deepEqual([...active.keys()], DAYS);
      for (const plan of days) assert.equal(active.get(plan.day), FLEET, plan.day);

      // Each day's breakdowns: the exact values, every grouping, JSON against CSV.
      const breakdowns = new Map<string, Map<string, Cell>>();
      const key = (day: string, dimension: string, grouping: Grouping) => `${day} ${dimension} ${grouping}`;
      for (const day of DAYS) {
        for (const dimension of dimensions) {
          for (const grouping of GROUPINGS) {
            const base = `/api/v1/breakdown/${encodeURIComponent(dimension)}?day=${day}&group=${grouping}`;
            const json = (await get(base)).json;
            assert.equal(json.day, day);
            const cells = new Map<string, Cell>();
            for (const v of json.values) {
              const cell = { n: v.instances, fewerThan: v.fewerThan ?? null };
              assert.ok(cell.n !== null || cell.fewerThan !== null, `${base}: ${v.value} has neither a count nor "fewer than"`);
              cells.set(v.value, cell);
              noteCell(`${base}: ${v.value}`, cell);
              if (v.value !== 'other') assert.ok(!RARE_VALUES.includes(v.value), `${base} publishes the rare value ${v.value}`);
            }
            // Shares of what is published as a number add up to 1; a hidden count has none.
            const shared = json.values.filter((v: Json) => v.instances !== null);
            if (shared.length > 0) assert.ok(Math.abs(shared.reduce((a: number, v: Json) => a + v.share, 0) - 1) < 0.002, `${base}: shares`);
            assert.ok(json.values.every((v: Json) => v.instances !== null || v.share === null), `${base}: a hidden count has no share`);
            const csv = parseCsv((await get(`${base}&format=csv`)).text).slice(1);
            assert.deepEqual(
              csv.map((r) => [r[0].replace(/^'/, ''), csvCount(r[1])]),
              json.values.map((v: Json) => [v.value, cells.get(v.value)]),
              `${base}: CSV against JSON`,
            );
            breakdowns.set(key(day, dimension, grouping), cells);
          }

          // A grouping sums the published exact values: anything more would be hidden values of the group.
          const exact = breakdowns.get(key(day, dimension, 'exact'))!;
          for (const grouping of ['minor', 'major'] as const) {
            for (const [value, cell] of breakdowns.get(key(day, dimension, grouping))!) {
              let sum = 0;
              let hidden = false;
              for (const [v, c] of exact) {
                if (groupValue(v, grouping) !== value) continue;
                sum += c.n ?? 0;
                hidden ||= c.fewerThan !== null;
              }
              note(`${day} ${dimension} ${grouping} ${value}, less its exact values`, (cell.n ?? 0) - sum);
              assert.equal(cell.fewerThan !== null, hidden, `${day} ${dimension} ${grouping} ${value}: hidden in one grouping, not in the other`);
            }
          }

          // Where each instance counts once, a panel adds up to the day's active instances: the difference
          // would be instances counted twice (more) or a hidden "other" (fewer).
          if (ONCE_PER_INSTANCE.includes(dimension)) {
            for (const grouping of GROUPINGS) {
              const sum = [...breakdowns.get(key(day, dimension, grouping))!.values()].reduce((a, c) => a + (c.n ?? 0), 0);
              note(`${day} ${dimension} ${grouping}: active instances less the panel's sum`, active.get(day)! - sum);
              if (sum !== active.get(day)) unequal.push(`${day} ${dimension} ${grouping}: ${sum} counted, ${active.get(day)} active`);
            }
          }
        }

        // A snapshot field of an opt-in group counts each instance that sent the group once.
        const groups = breakdowns.get(key(day, 'insight.groups', 'exact'))!;
        for (const field of ['flows.nodes', 'flows.tabs', 'features.adminAuth', 'environment.cpus']) {
          const panel = breakdowns.get(key(day, field, 'exact'));
          const sent = groups.get(field.split('.')[0])?.n;
          if (!panel || sent === null || sent === undefined) continue;
          note(`${day} insight.groups ${field.split('.')[0]} less the ${field} panel's sum`, sent - [...panel.values()].reduce((a, c) => a + (c.n ?? 0), 0));
        }
      }

      // Series: every value's line is its breakdown's count that day, "other" the rest, whatever the range and `top`.
      for (const dimension of dimensions) {
        for (const grouping of GROUPINGS) {
          for (const range of RANGES) {
            for (const top of TOPS) {
              const base = `/api/v1/series/${encodeURIComponent(dimension)}?range=${range}&group=${grouping}&top=${top}`;
              const json = (await get(base)).json;
              const shown = new Set<string>(json.series.map((s: Json) => s.value).filter((v: string) => v !== 'other'));
              for (const [i, day] of (json.days as string[]).entries()) {
                const cells = breakdowns.get(key(day, dimension, grouping))!;
                for (const s of json.series) {
                  const cell: Cell = { n: s.instances[i], fewerThan: s.fewerThan?.[i] ?? null };
                  noteCell(`${base}: ${s.value} on ${day}`, cell);
                  if (s.value !== 'other') {
                    assert.ok(!RARE_VALUES.includes(s.value), `${base} publishes the rare value ${s.value}`);
                    note(`${base}: ${s.value} on ${day} against its breakdown`, (cell.n ?? 0) - (cells.get(s.value)?.n ?? 0));
                    continue;
                  }
                  let rest = 0;
                  let hidden = false;
                  for (const [v, c] of cells) {
                    if (shown.has(v)) continue;
                    rest += c.n ?? 0;
                    hidden ||= c.fewerThan !== null;
                  }
                  note(`${base}: "other" on ${day} less the breakdown's values not shown`, (cell.n ?? 0) - rest);
                  assert.equal(cell.fewerThan !== null, hidden, `${base}: "other" on ${day} hidden in one view, not in the other`);
                }
              }
              if (top === 6) {
                const csv = parseCsv((await get(`${base}&format=csv`)).text).slice(1);
                const fromJson = json.series.flatMap((s: Json) =>
                  s.instances.map((n: number | null, i: number) => [json.days[i], s.value, { n, fewerThan: s.fewerThan?.[i] ?? null }]),
                );
                assert.deepEqual(
                  csv.map((r) => [r[0], r[1].replace(/^'/, ''), csvCount(r[2])]).sort((a: Json, b: Json) => String(a[0] + a[1]).localeCompare(String(b[0] + b[1]))),
                  fromJson.sort((a: Json, b: Json) => String(a[0] + a[1]).localeCompare(String(b[0] + b[1]))),
                  `${base}: CSV against JSON`,
                );
              }
            }
          }
        }
      }

      // The deprecated /api/usage: the same exact counts as the breakdowns.
      const usage = (await get(`/api/usage?days=${DAYS.length}`)).json;
      assert.deepEqual(usage.days.map((d: Json) => d.day), DAYS);
      for (const d of usage.days) {
        note(`/api/usage ${d.day} instances against /api/v1/instances`, d.instances - active.get(d.day)!);
        for (const c of d.counts) {
          const cell: Cell = { n: c.instances, fewerThan: c.fewerThan ?? null };
          noteCell(`/api/usage ${d.day} ${c.dimension} ${c.value}`, cell);
          const exact = breakdowns.get(key(d.day, c.dimension, 'exact'))?.get(c.value);
          assert.deepEqual(cell, exact, `/api/usage ${d.day} ${c.dimension} ${c.value} against its breakdown`);
        }
      }

      const leaks = derived.filter((d) => d.n > 0 && d.n < THRESHOLD);
      const secrets = days.map((p) => `${p.day}: ${Object.entries(p.secrets).map(([k, n]) => `${k} = ${n}`).join(', ')}`).join('\n');
      assert.equal(
        leaks.length,
        0,
        `${leaks.length} counts under the threshold worked out from the public views, such as\n` +
          `${[...new Map(leaks.map((l) => [l.how.replace(/(group|top|range)=\w+&?/g, '').replace(/ (exact|minor|major)\b/g, ''), l])).values()].slice(0, 40).map((l) => `  ${l.n} = ${l.how}`).join('\n')}\n` +
          `while the fleet's hidden counts are\n${secrets}`,
      );
      assert.deepEqual(unequal, [], 'every panel where an instance counts once adds up to the active instances');
      assert.ok(derived.length > 1000, `the attack tried ${derived.length} numbers`);
      // What the fleet planted is hidden, not just left out: a small "other" says "fewer than 5" in each form.
      for (const view of ['/api/v1/breakdown/insight.groups', '/api/v1/series/lifecycle.crash.module', '/api/usage']) assert.ok(hidden.has(view), `${view}: ${[...hidden].join(', ')}`);
      for (const rare of RARE_VALUES) {
        const quoted = JSON.stringify(rare);
        assert.ok(texts.every((t) => !t.includes(quoted) && !t.split('\r\n').some((line) => line.split(',')[0] === rare) && !t.includes(`,${rare},`)), rare);
      }
    });
  });
}
