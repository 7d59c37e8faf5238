import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DecisionInputs, describeValue, displayUrl, envProblems, isEnvSet, isFixed, readSection, resolveDecision, resolveInclude, resolveSettings } from '../../src/config';
import { INSIGHT_GROUPS } from '@node-red-telemetry/protocol';

const none: DecisionInputs = { argv: [], env: {}, optOutFile: false, settingsEnabled: undefined, storedChoice: undefined };

describe('config: the decision, strongest source first', () => {
  const rows: Array<[string, Partial<DecisionInputs>, boolean | null, string]> = [
    ['--no-telemetry beats settings and a stored opt-in', { argv: ['node', 'red.js', '--no-telemetry'], settingsEnabled: true, storedChoice: true }, false, 'flag'],
    ['--telemetry=false counts as the flag', { argv: ['--telemetry=false'], storedChoice: true }, false, 'flag'],
    ['NODE_RED_DISABLE_TELEMETRY beats settings and a stored opt-in', { env: { NODE_RED_DISABLE_TELEMETRY: '1' }, settingsEnabled: true, storedChoice: true }, false, 'env'],
    ['DO_NOT_TRACK=1 beats settings and a stored opt-in', { env: { DO_NOT_TRACK: '1' }, settingsEnabled: true, storedChoice: true }, false, 'do-not-track'],
    ['the opt-out file beats settings and a stored opt-in', { optOutFile: true, settingsEnabled: true, storedChoice: true }, false, 'opt-out-file'],
    ['telemetry.enabled: false beats a stored opt-in', { settingsEnabled: false, storedChoice: true }, false, 'settings'],
    ['telemetry.enabled: true turns it on without asking', { settingsEnabled: true }, true, 'settings'],
    ['telemetry.enabled: true beats a stored opt-out', { settingsEnabled: true, storedChoice: false }, true, 'settings'],
    ['a stored opt-in turns it on', { storedChoice: true }, true, 'consent'],
    ['a stored opt-out turns it off', { storedChoice: false }, false, 'consent'],
    ['nothing chosen means pending', {}, null, 'pending'],
    ['the flag is named before the environment', { argv: ['--no-telemetry'], env: { NODE_RED_DISABLE_TELEMETRY: '1', DO_NOT_TRACK: '1' }, optOutFile: true }, false, 'flag'],
    ['NODE_RED_DISABLE_TELEMETRY is named before DO_NOT_TRACK', { env: { NODE_RED_DISABLE_TELEMETRY: 'yes', DO_NOT_TRACK: '1' } }, false, 'env'],
  ];
  for (const [name, inputs, enabled, reason] of rows) {
    it(name, () => {
      assert.deepEqual(resolveDecision({ ...none, ...inputs }), { enabled, reason });
    });
  }

  it('fixes every reason but consent and pending', () => {
    const fixed = ['flag', 'env', 'do-not-track', 'opt-out-file', 'settings'] as const;
    for (const reason of fixed) assert.equal(isFixed({ enabled: false, reason }), true, reason);
    assert.equal(isFixed({ enabled: true, reason: 'consent' }), false);
    assert.equal(isFixed({ enabled: null, reason: 'pending' }), false);
  });

  it('reads an environment switch as set for anything but "", "0" and "false"', () => {
    for (const value of ['1', 'true', 'yes', 'anything', 'FALSE-ish']) assert.equal(isEnvSet(value), true, value);
    for (const value of [undefined, '', '0', 'false', 'FALSE', ' false ']) assert.equal(isEnvSet(value), false, String(value));
  });

  it('names the environment when Node-RED itself turned telemetry.enabled off for NODE_RED_DISABLE_TELEMETRY=false', () => {
    assert.deepEqual(resolveDecision({ ...none, env: { NODE_RED_DISABLE_TELEMETRY: 'false' }, settingsEnabled: false }), { enabled: false, reason: 'env' });
    assert.deepEqual(resolveDecision({ ...none, env: { NODE_RED_DISABLE_TELEMETRY: '' }, settingsEnabled: false }), { enabled: false, reason: 'settings' });
  });

  it('does not let an env value of "false" or "0" opt out', () => {
    assert.deepEqual(resolveDecision({ ...none, env: { NODE_RED_DISABLE_TELEMETRY: 'false', DO_NOT_TRACK: '0' }, storedChoice: true }), {
      enabled: true,
      reason: 'consent',
    });
  });
});

describe('config: the telemetry section of settings.js', () => {
  it('uses the defaults when there is no section', () => {
    const { options, enabled, problems } = resolveSettings(undefined);
    assert.deepEqual(options, { url: null, updateNotification: true, updateNotificationSet: false, operator: null, initialDelay: 1800000, interval: 86400000, timeout: 30000, include: [] });
    assert.equal(enabled, undefined);
    assert.deepEqual(problems, []);
  });

  it('takes every valid setting', () => {
    const { options, enabled, problems } = resolveSettings({
      enabled: true,
      updateNotification: false,
      url: 'https://collector.example/ping',
      initialDelay: '5m',
      interval: 3600000,
    });
    assert.deepEqual(problems, []);
    assert.equal(enabled, true);
    assert.equal(options.url?.href, 'https://collector.example/ping');
    assert.equal(options.updateNotification, false);
    assert.equal(options.initialDelay, 300000);
    assert.equal(options.interval, 3600000);
  });

  it('accepts http only to a loopback host, unless allowInsecure', () => {
    for (const url of ['http://127.0.0.1:8790/ping', 'http://127.5.6.7/ping', 'http://localhost/ping', 'http://[::1]:80/ping']) {
      assert.equal(resolveSettings({ url }).options.url?.href, new URL(url).href, url);
    }
    const remote = resolveSettings({ url: 'http://collector.example/ping' });
    assert.equal(remote.options.url, null);
    assert.deepEqual(remote.problems, [{ setting: 'telemetry.url', code: 'insecure-url', value: '"http://collector.example/ping"', outcome: 'no-url' }]);
    assert.equal(resolveSettings({ url: 'http://collector.example/ping', allowInsecure: true }).options.url?.href, 'http://collector.example/ping');
    assert.equal(resolveSettings({ url: 'http://128.0.0.1/ping' }).options.url, null, '128.x is not loopback');
  });

  const bad: Array<[string, unknown, string, string, string]> = [
    ['a section that is not an object', 'yes', 'telemetry', 'not-object', 'off'],
    ['a section that is an array', [true], 'telemetry', 'not-object', 'off'],
    ['enabled that is not a boolean', { enabled: 'true' }, 'telemetry.enabled', 'not-boolean', 'off'],
    ['updateNotification that is not a boolean', { updateNotification: 1 }, 'telemetry.updateNotification', 'not-boolean', 'default'],
    ['allowInsecure that is not a boolean', { allowInsecure: 'yes' }, 'telemetry.allowInsecure', 'not-boolean', 'default'],
    ['a url that does not parse', { url: 'not a url' }, 'telemetry.url', 'not-url', 'no-url'],
    ['a url that is not a string', { url: 42 }, 'telemetry.url', 'not-url', 'no-url'],
    ['a url with another protocol', { url: 'ftp://collector.example/ping' }, 'telemetry.url', 'not-url', 'no-url'],
    ['a plain-http url to another host', { url: 'http://10.0.0.1/ping' }, 'telemetry.url', 'insecure-url', 'no-url'],
    ['an initialDelay that is not a duration', { initialDelay: 'soon' }, 'telemetry.initialDelay', 'not-duration', 'default'],
    ['a negative initialDelay', { initialDelay: -5 }, 'telemetry.initialDelay', 'not-duration', 'default'],
    ['an interval that is not a duration', { interval: { hours: 24 } }, 'telemetry.interval', 'not-duration', 'default'],
    ['an interval under a second', { interval: 10 }, 'telemetry.interval', 'duration-too-short', 'default'],
    ['an interval over a year', { interval: '400d' }, 'telemetry.interval', 'duration-too-long', 'default'],
    ['an unknown key', { intervall: '1h' }, 'telemetry.intervall', 'unknown-setting', 'ignored'],
    ['an operator that is not a string', { operator: ['ACME'] }, 'telemetry.operator', 'not-operator', 'ignored'],
    ['an empty operator', { operator: '   ' }, 'telemetry.operator', 'not-operator', 'ignored'],
    ['an operator over 60 characters', { operator: 'A'.repeat(61) }, 'telemetry.operator', 'not-operator', 'ignored'],
    ['an operator of two lines', { operator: 'ACME IT\n[warn] forged' }, 'telemetry.operator', 'not-operator', 'ignored'],
    ['an operator with a bidirectional override', { operator: 'ACME \u202eTI' }, 'telemetry.operator', 'not-operator', 'ignored'],
  ];
  for (const [name, section, setting, code, outcome] of bad) {
    it(`reports ${name} once, with a safe outcome`, () => {
      const { options, enabled, problems } = resolveSettings(section);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0].setting, setting);
      assert.equal(problems[0].code, code);
      assert.equal(problems[0].outcome, outcome);
      if (outcome === 'off') assert.equal(enabled, false);
      if (outcome === 'no-url') assert.equal(options.url, null);
      if (setting === 'telemetry.initialDelay') assert.equal(options.initialDelay, 1800000);
      if (setting === 'telemetry.interval') assert.equal(options.interval, 86400000);
      if (setting === 'telemetry.updateNotification') assert.deepEqual([options.updateNotification, options.updateNotificationSet], [true, false]);
      if (setting === 'telemetry.operator') assert.equal(options.operator, null, 'treated as unset');
    });
  }

  it('takes the operator trimmed, up to 60 characters counted as a person reads them', () => {
    assert.equal(resolveSettings({ operator: '  ACME IT ' }).options.operator, 'ACME IT');
    assert.equal(resolveSettings({ operator: 'the Node-RED project' }).options.operator, 'the Node-RED project');
    const long = '🙂'.repeat(60);
    assert.deepEqual([resolveSettings({ operator: long }).options.operator, resolveSettings({ operator: long }).problems], [long, []]);
  });

  it('tells an updateNotification settings.js gives from the default', () => {
    assert.deepEqual(resolveSettings({ updateNotification: true }).options.updateNotificationSet, true);
    assert.deepEqual(resolveSettings({ updateNotification: false }).options.updateNotificationSet, true);
    assert.deepEqual(resolveSettings({}).options.updateNotificationSet, false);
  });

  it('names the default it falls back to', () => {
    assert.equal(resolveSettings({ interval: 'daily' }).problems[0].fallback, '24h');
    assert.equal(resolveSettings({ initialDelay: 'later' }).problems[0].fallback, '30m');
  });

  it('shortens a long bad value in the message', () => {
    const [problem] = resolveSettings({ url: 'x'.repeat(500) }).problems;
    assert.ok(problem.value !== undefined && problem.value.length <= 60, problem.value);
  });

  it('never shows credentials of the url', () => {
    const { options } = resolveSettings({ url: 'https://user:secret@collector.example/ping' });
    assert.equal(displayUrl(options.url), 'https://collector.example/ping');
    assert.equal(displayUrl(null), null);
  });
});

describe('config: showing a value in a warning', () => {
  const rows: Array<[string, unknown, string]> = [
    ['Infinity', Infinity, 'Infinity'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['NaN', NaN, 'NaN'],
    ['-0', -0, '-0'],
    ['a bigint', 10n, '10n'],
    ['a huge number', 1e300, '1e+300'],
    ['a named function', function later() {}, '[Function: later]'],
    ['a Symbol', Symbol('24h'), 'Symbol(24h)'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a string, JSON-quoted', '30 parsecs', '"30 parsecs"'],
    ['a string with a newline, on one line', '1h\n[warn] forged', '"1h\\n[warn] forged"'],
    ['nested non-finite values', { hours: 24, parts: [1, { x: Infinity, y: NaN }] }, '{ hours: 24, parts: [ 1, { x: Infinity, y: NaN } ] }'],
    ['an object without a prototype', Object.create(null), '[Object: null prototype] {}'],
  ];
  for (const [name, value, shown] of rows) {
    it(`shows ${name} as ${shown}`, () => assert.equal(describeValue(value), shown));
  }

  it('runs none of the value\'s code: no getter, no custom inspect, no Proxy trap', () => {
    let ran = 0;
    const trap = (): never => {
      ran++;
      throw new Error('ran');
    };
    const values = [
      { get interval() { return trap(); } },
      { [Symbol.for('nodejs.util.inspect.custom')]: trap },
      new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, has: trap }),
    ];
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    for (const value of [...values, revocable.proxy]) assert.equal(typeof describeValue(value), 'string');
    assert.equal(ran, 0);
  });

  it('keeps the length cap, for strings and for everything else', () => {
    assert.equal(describeValue('x'.repeat(1_000_000)).length, 60);
    assert.ok(describeValue({ a: 'y'.repeat(500), b: Array.from({ length: 500 }, (_, i) => i) }).length <= 60);
    assert.equal(describeValue('🙂'.repeat(100)).endsWith('🙂...'), true, 'never half a surrogate pair');
  });
});

describe('config: a hostile telemetry section (settings.js is code)', () => {
  const throwing = (message = 'boom') => () => {
    throw new Error(message);
  };
  const getter = (key: string, get: () => unknown, rest: Record<string, unknown> = {}) => Object.defineProperty({ ...rest }, key, { get, enumerable: true });

  it('turns a section that cannot be read at all into one warning, and telemetry off', () => {
    const section = readSection(throwing('no section for you'));
    const { enabled, problems } = resolveSettings(section);
    assert.equal(enabled, false);
    assert.deepEqual(problems, [{ setting: 'telemetry', code: 'unreadable', error: 'no section for you', outcome: 'off' }]);
  });

  it('reads a section as given when reading it works', () => {
    assert.deepEqual(readSection(() => ({ enabled: true })), { enabled: true });
  });

  it('turns a section whose keys cannot be listed, or a revoked Proxy, into one warning, and telemetry off', () => {
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    for (const section of [new Proxy({ enabled: true }, { ownKeys: throwing('ownKeys') }), revocable.proxy]) {
      const { enabled, problems } = resolveSettings(section);
      assert.equal(enabled, false);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.deepEqual([problems[0].setting, problems[0].code, problems[0].outcome], ['telemetry', 'unreadable', 'off']);
    }
  });

  const perKey: Array<[string, string, Record<string, unknown>, (r: ReturnType<typeof resolveSettings>) => void]> = [
    ['enabled', 'off', {}, (r) => assert.equal(r.enabled, false)],
    ['url', 'no-url', { enabled: true }, (r) => assert.equal(r.options.url, null)],
    ['updateNotification', 'default', {}, (r) => assert.equal(r.options.updateNotification, true)],
    ['allowInsecure', 'default', { url: 'https://collector.example/ping' }, (r) => assert.equal(r.options.url?.href, 'https://collector.example/ping')],
    ['initialDelay', 'default', {}, (r) => assert.equal(r.options.initialDelay, 1800000)],
    ['interval', 'default', {}, (r) => assert.equal(r.options.interval, 86400000)],
    ['timeout', 'default', {}, (r) => assert.equal(r.options.timeout, 30000)],
    ['operator', 'ignored', {}, (r) => assert.equal(r.options.operator, null)],
  ];
  for (const [key, outcome, rest, check] of perKey) {
    it(`names telemetry.${key} when its getter throws, and takes the safe outcome (${outcome})`, () => {
      const resolved = resolveSettings(getter(key, throwing(`no ${key}`), rest));
      assert.deepEqual(
        resolved.problems.map((p) => [p.setting, p.code, p.error, p.outcome]),
        [[`telemetry.${key}`, 'unreadable', `no ${key}`, outcome]],
      );
      check(resolved);
    });
  }

  it('names the default an unreadable duration falls back to', () => {
    assert.equal(resolveSettings(getter('interval', throwing())).problems[0].fallback, '24h');
  });

  it('says only that enabled is unreadable when every read throws: telemetry is off, nothing else matters', () => {
    const { enabled, problems } = resolveSettings(new Proxy({}, { get: throwing('trap') }));
    assert.equal(enabled, false);
    assert.deepEqual(problems, [{ setting: 'telemetry.enabled', code: 'unreadable', error: 'trap', outcome: 'off' }]);
  });

  it('reads each known key once, so what is checked is what is used and shown', () => {
    const reads = new Map<PropertyKey, number>();
    // "yes" first, true after: reading twice would take a value that was never checked.
    const section = new Proxy(
      {},
      {
        get(_target, key) {
          const n = (reads.get(key) ?? 0) + 1;
          reads.set(key, n);
          if (key === 'enabled') return n % 2 === 1 ? 'yes' : true;
          if (key === 'interval') return n % 2 === 1 ? 10 : '1h';
          return undefined;
        },
      },
    );
    const { enabled, options, problems } = resolveSettings(section);
    assert.equal(enabled, false);
    assert.equal(options.interval, 86400000);
    assert.deepEqual(problems.map((p) => [p.setting, p.value]), [['telemetry.enabled', '"yes"'], ['telemetry.interval', '10']]);
    assert.deepEqual([...reads.values()].filter((n) => n !== 1), [], `read more than once: ${JSON.stringify([...reads])}`);
  });

  it('never reads the value of an unknown key', () => {
    const { problems } = resolveSettings(getter('intervall', throwing('read me not'), { url: 'https://collector.example/ping' }));
    assert.deepEqual(problems, [{ setting: 'telemetry.intervall', code: 'unknown-setting', outcome: 'ignored' }]);
  });

  it('quotes an unknown key that is not a plain name, so it cannot forge a log line', () => {
    const { problems } = resolveSettings({ 'x\n[warn] forged': 1, ['y'.repeat(100)]: 2, ok_name: 3 });
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['telemetry["x\\n[warn] forged"]', `telemetry["${'y'.repeat(56)}...]`, 'telemetry.ok_name'],
    );
  });

  it('describes whatever was thrown, bounded', () => {
    const cases: Array<[() => unknown, string]> = [
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a setting's getter may throw anything: the test is how a non-Error is described
      [() => { throw 'plain string'; }, '"plain string"'],
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- as above: a thrown Symbol must be described too
      [() => { throw Symbol('s'); }, 'Symbol(s)'],
      [() => { throw Object.create(null); }, '[Object: null prototype] {}'],
      [() => { throw new Error('x'.repeat(5000)); }, 'x'.repeat(197) + '...'],
    ];
    for (const [read, shown] of cases) {
      assert.equal(resolveSettings(getter('url', read)).problems[0].error, shown);
    }
  });

  it('shows non-finite and odd durations as given, not as null', () => {
    const shown = (section: Record<string, unknown>) => resolveSettings(section).problems.map((p) => `${p.setting} ${p.code} ${p.value}`);
    assert.deepEqual(shown({ initialDelay: Infinity, interval: NaN, timeout: 10n }), [
      'telemetry.initialDelay not-duration Infinity',
      'telemetry.interval not-duration NaN',
      'telemetry.timeout not-duration 10n',
    ]);
    assert.deepEqual(shown({ interval: -0 }), ['telemetry.interval duration-too-short -0']);
    assert.deepEqual(shown({ timeout: '10m' }), ['telemetry.timeout duration-too-long "10m"']);
    assert.equal(resolveSettings({ timeout: '10m' }).problems[0].limit, '5m');
  });
});

describe('config: opt-out variables with odd values', () => {
  const rows: Array<[string, Record<string, string>, boolean | undefined, Array<[string, string, string]>]> = [
    ['clear values say nothing', { NODE_RED_DISABLE_TELEMETRY: '1', DO_NOT_TRACK: 'TRUE' }, undefined, []],
    ['"yes", "on", "0", "false" and "" are clear too', { NODE_RED_DISABLE_TELEMETRY: 'yes', DO_NOT_TRACK: 'On' }, undefined, []],
    ['empty and unset say nothing', { NODE_RED_DISABLE_TELEMETRY: '', DO_NOT_TRACK: '0' }, undefined, []],
    ['"no" counts as set: telemetry is off', { DO_NOT_TRACK: 'no' }, undefined, [['DO_NOT_TRACK', 'env-odd-set', 'off']]],
    ['"off" counts as set: telemetry is off', { NODE_RED_DISABLE_TELEMETRY: 'off' }, undefined, [['NODE_RED_DISABLE_TELEMETRY', 'env-odd-set', 'off']]],
    ['" 0 " counts as not set', { DO_NOT_TRACK: ' 0 ' }, undefined, [['DO_NOT_TRACK', 'env-odd-unset', 'ignored']]],
    ['"false" for NODE_RED_DISABLE_TELEMETRY, which Node-RED 4.1 read as set', { NODE_RED_DISABLE_TELEMETRY: 'false' }, false, [['NODE_RED_DISABLE_TELEMETRY', 'env-core-set', 'off']]],
  ];
  for (const [name, env, settingsEnabled, expected] of rows) {
    it(name, () => {
      assert.deepEqual(envProblems(env, settingsEnabled).map((p) => [p.setting, p.code, p.outcome]), expected);
    });
  }

  it('shows the value as given, quoted', () => {
    assert.equal(envProblems({ DO_NOT_TRACK: 'no thanks\n' }, undefined)[0].value, '"no thanks\\n"');
  });
});

describe('config: every problem has its message', () => {
  const english = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'locales', 'en-US', 'plugin.json'), 'utf8')) as {
    runtime: { problem: Record<string, string> };
  };
  it('in en-US (the locales test checks the other five against it)', () => {
    const codes = ['not-object', 'not-boolean', 'not-url', 'insecure-url', 'unknown-setting', 'unreadable', 'not-duration', 'duration-too-short', 'duration-too-long', 'env-odd-set', 'env-odd-unset', 'env-core-set', 'not-list', 'unknown-group'];
    assert.deepEqual(codes.filter((code) => !english.runtime.problem[code]), []);
  });
});

describe('config: telemetry.include', () => {
  it('keeps the known groups in the documented order, without duplicates', () => {
    const { options, problems } = resolveSettings({ include: ['lifecycle', 'flows', 'flows', 'environment', 'features'] });
    assert.deepEqual(options.include, ['flows', 'features', 'environment', 'lifecycle']);
    assert.deepEqual(problems, []);
  });

  it('warns once per unknown group, naming it, and keeps the rest', () => {
    const { options, problems } = resolveSettings({ include: ['flows', 'flowz', 'flowz', 'secrets'] });
    assert.deepEqual(options.include, ['flows']);
    assert.deepEqual(problems, [
      { setting: 'telemetry.include', code: 'unknown-group', value: '"flowz"', outcome: 'ignored' },
      { setting: 'telemetry.include', code: 'unknown-group', value: '"secrets"', outcome: 'ignored' },
    ]);
  });

  for (const [label, value, shown] of [
    ['a string', 'flows', '"flows"'],
    ['an object', { flows: true }, '{ flows: true }'],
    ['a list with a number', ['flows', 1], "[ 'flows', 1 ]"],
    ['true', true, 'true'],
  ] as const) {
    it(`refuses ${label} with one clear warning: no group is sent`, () => {
      const { options, problems, enabled } = resolveSettings({ enabled: true, include: value });
      assert.deepEqual(options.include, []);
      assert.equal(enabled, true, 'a bad include does not switch telemetry off');
      assert.deepEqual(problems, [{ setting: 'telemetry.include', code: 'not-list', value: shown, outcome: 'no-groups' }]);
    });
  }

  it('an include that cannot be read sends no group', () => {
    const section = Object.defineProperty({}, 'include', { enumerable: true, get: () => { throw new Error('vault locked'); } });
    const { options, problems } = resolveSettings(section);
    assert.deepEqual(options.include, []);
    assert.deepEqual(problems, [{ setting: 'telemetry.include', code: 'unreadable', error: 'vault locked', outcome: 'no-groups' }]);
  });

  it('every group name is a documented group', () => {
    assert.deepEqual(resolveInclude([...INSIGHT_GROUPS]).unknown, []);
  });
});
