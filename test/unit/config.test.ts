import assert from 'node:assert/strict';
import { DecisionInputs, displayUrl, isEnvSet, isFixed, resolveDecision, resolveSettings } from '../../src/config';

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
    assert.deepEqual(options, { url: null, updateNotification: true, initialDelay: 1800000, interval: 86400000 });
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
    assert.deepEqual(remote.problems, [{ setting: 'telemetry.url', code: 'insecure-url', value: '"http://collector.example/ping"', outcome: 'no-url', fallback: undefined }]);
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
      if (setting === 'telemetry.updateNotification') assert.equal(options.updateNotification, true);
    });
  }

  it('names the default it falls back to', () => {
    assert.equal(resolveSettings({ interval: 'daily' }).problems[0].fallback, '24h');
    assert.equal(resolveSettings({ initialDelay: 'later' }).problems[0].fallback, '30m');
  });

  it('shortens a long bad value in the message', () => {
    const [problem] = resolveSettings({ url: 'x'.repeat(500) }).problems;
    assert.ok(problem.value.length <= 60, problem.value);
  });

  it('never shows credentials of the url', () => {
    const { options } = resolveSettings({ url: 'https://user:secret@collector.example/ping' });
    assert.equal(displayUrl(options.url), 'https://collector.example/ping');
    assert.equal(displayUrl(null), null);
  });
});
