import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from '../../src/config';
import { buildStatus, Status } from '../../src/status';

const english = JSON.parse(readFileSync(path.resolve(__dirname, '../../locales/en-US/plugin.json'), 'utf8')) as { runtime: Record<string, Record<string, string>> };

/** The runtime's English strings, substituted as Node-RED's i18n does: enough to read what the log shows. */
export function runtimeText(key: string, subs: Record<string, unknown> = {}): string {
  const [family, name] = key.split('.');
  const text = english.runtime[family]?.[name] ?? key;
  return text.replace(/__(\w+)__/g, (_, sub: string) => String(subs[sub]));
}

/** The status GET /telemetry answers while nobody has chosen, for `options`, with the base payload. */
export function pendingStatus(options: Options): Status {
  return buildStatus({
    decision: { enabled: null, reason: 'pending' },
    options,
    include: [],
    lastReport: undefined,
    due: null,
    coverage: { wanted: [], groups: [], providers: [], pending: [] },
    preview: { instanceId: '0123456789abcdef0123456789abcdef', os: { type: 'Linux', release: '6.1', arch: 'x64' }, env: { nodejs: '20.20.2', 'node-red': '4.1.15' } },
    providers: [],
    offer: null,
    erasure: null,
  });
}
