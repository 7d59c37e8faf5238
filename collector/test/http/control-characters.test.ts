import assert from 'node:assert/strict';
import { assertErrorAnswer, sendBytes } from '../helpers/answers';
import { CollectorProcess, report, StoreKind } from '../helpers/collector-process';
import { rowsOf } from '../helpers/tables';

const STORES: StoreKind[] = ['sqlite', 'postgres'];

/** Every string a report carries, as a path into the body; `label` is an operator-declared extra. */
const FIELDS = ['instanceId', 'os.type', 'os.release', 'os.arch', 'env.nodejs', 'env.node-red', 'label'];

/** What neither store can keep exactly (PostgreSQL refuses U+0000; lone surrogates become U+FFFD), and C0/DEL. */
const REFUSED: Array<[string, string]> = [
  ['U+0000', '\u0000'],
  ['U+0001', '\u0001'],
  ['U+0009 (tab)', '\t'],
  ['U+000A (line feed)', '\n'],
  ['U+001F', '\u001f'],
  ['U+007F', '\u007f'],
  ['a lone high surrogate U+D800', '\ud800'],
  ['a lone low surrogate U+DFFF', '\udfff'],
  ['a reversed surrogate pair', '\udc00\ud800'],
];

function withValue(body: Record<string, unknown>, field: string, value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const [head, tail] = field.split('.') as [string, string | undefined];
  if (tail === undefined) copy[head] = value;
  else (copy[head] as Record<string, unknown>)[tail] = value;
  return copy;
}

for (const store of STORES) {
  describe(`collector refuses control characters in every string (${store})`, function () {
    this.timeout(60_000);
    let collector: CollectorProcess;
    let next = 1;

    before(async () => {
      collector = await CollectorProcess.start({
        store,
        args: ['--latest', '4.2.0'],
        // perInstance 2: a refused report must not count, so the same instance still gets through twice after.
        config: { rateLimit: { perInstance: 2, perAddress: 100_000 }, extraFields: { label: 'string' } },
      });
    });
    after(async () => {
      assert.equal(await collector.stop(), 0);
    });

    for (const field of FIELDS) {
      for (const [what, character] of REFUSED) {
        it(`refuses ${what} in "${field}" with 400 invalid_report naming it, and stores nothing`, async () => {
          const base = report({ label: 'kitchen' }, next++);
          const body = withValue(base, field, `ab${character}cd`);
          const answer = await sendBytes(collector.url, 'POST', '/ping', JSON.stringify(body), { 'content-type': 'application/json' });
          const error = assertErrorAnswer(answer, `${what} in ${field}`, { status: 400, code: 'invalid_report' });
          if (field === 'instanceId') assert.match(error.message, /^field "instanceId" /);
          else assert.equal(error.message, `field "${field}" must not contain control characters or lone surrogates`);
          const rows = await rowsOf(collector, 'reports');
          assert.equal(rows.filter((r) => r.instance_id === base.instanceId).length, 0, 'nothing stored');
        });
      }
    }

    it('does not count refused reports against the rate limit, and takes the same instance afterwards', async () => {
      const base = report({}, next++);
      for (let i = 0; i < 3; i++) {
        const answer = await collector.request('POST', '/ping', withValue(base, 'os.type', 'Lin\u0000ux'));
        assert.equal(answer.status, 400, answer.text);
      }
      assert.equal((await collector.request('POST', '/ping', base)).status, 200);
      assert.equal((await collector.request('POST', '/ping', base)).status, 200);
      assert.equal((await collector.request('POST', '/ping', base)).status, 429, 'the limit of 2 counts only accepted reports');
    });

    it('stores other Unicode exactly: non-ASCII letters, C1 controls, U+FFFF, emoji (surrogate pairs), U+2028', async () => {
      const text = 'Ünïcødé \u0085\u009f \uffff \u{1F600}\u{10FFFF} \u2028 日本';
      const body = report({ os: { type: text, release: '\u{1F680}', arch: 'x64' }, label: text }, next++);
      const answer = await collector.request('POST', '/ping', body);
      assert.equal(answer.status, 200, answer.text);
      const row = (await rowsOf(collector, 'reports')).find((r) => r.instance_id === body.instanceId);
      assert.equal(row?.os_type, text);
      assert.equal(row?.os_release, '\u{1F680}');
      assert.deepEqual(JSON.parse(String(row?.extra)), { label: text });
    });
  });
}
