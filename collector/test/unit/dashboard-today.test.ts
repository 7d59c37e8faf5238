import assert from 'node:assert/strict';
import { Periodic, publishToday, TODAY_REFRESH_MS } from '../../src/dashboard/today';

describe("today's totals so far (pure)", () => {
  const at = new Date('2026-11-21T09:00:00Z');

  it('publishes 0 and counts of at least the threshold as they are, marked provisional', () => {
    assert.deepEqual(publishToday('2026-11-21', { instances: 0, reports: 0 }, 5, at), {
      day: '2026-11-21', provisional: true, instances: 0, reports: 0, threshold: 5, countedAt: '2026-11-21T09:00:00.000Z', refreshSeconds: 300,
    });
    const five = publishToday('2026-11-21', { instances: 5, reports: 9 }, 5, at);
    assert.deepEqual([five.instances, five.reports, five.fewerThan], [5, 9, undefined]);
  });

  it('under the threshold, neither count: "fewer than" it', () => {
    for (const instances of [1, 4]) {
      const answer = publishToday('2026-11-21', { instances, reports: 40 }, 5, at);
      assert.deepEqual([answer.instances, answer.reports, answer.fewerThan], [null, null, 5], String(instances));
    }
  });

  it('counts at most once per period and again at once on a new day; a failure is not kept', async () => {
    const clock = { now: at };
    const cache = new Periodic<number>(TODAY_REFRESH_MS, () => clock.now);
    let counts = 0;
    const count = () => Promise.resolve(++counts);
    assert.equal(await cache.get('2026-11-21', count).value, 1);
    clock.now = new Date(at.getTime() + TODAY_REFRESH_MS - 1);
    const still = cache.get('2026-11-21', count);
    assert.deepEqual([await still.value, still.remainingMs], [1, 1]);
    clock.now = new Date(at.getTime() + TODAY_REFRESH_MS);
    assert.equal(await cache.get('2026-11-21', count).value, 2);
    assert.equal(await cache.get('2026-11-22', count).value, 3, 'a new day is counted at once');
    await assert.rejects(cache.get('2026-11-23', () => Promise.reject(new Error('store down'))).value);
    assert.equal(await cache.get('2026-11-23', count).value, 4, 'the failure was not kept');
  });
});
