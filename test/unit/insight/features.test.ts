import assert from 'node:assert/strict';
import { featuresInsight, guardedReader } from '../../../src/insight/features';
import { DEFAULT_FEATURES } from '../../helpers/insight';

const reader = (settings: Record<string, unknown>) => guardedReader((key) => settings[key]);

describe('insight: features from settings.js', () => {
  it("Node-RED's defaults", () => {
    assert.deepEqual(featuresInsight(reader({})), DEFAULT_FEATURES);
  });

  it('everything switched on, with no value of any setting in the result', () => {
    const settings = {
      adminAuth: { type: 'credentials', users: [{ username: 'SecretAdmin', password: 'SecretHash' }] },
      httpNodeAuth: { user: 'SecretUser', pass: 'SecretPass' },
      https: { key: 'SecretKey', cert: 'SecretCert' },
      editorTheme: { projects: { enabled: true }, theme: 'dark' },
      contextStorage: { default: 'disk', disk: { module: 'localfilesystem' }, mem: { module: 'memory' }, redis: { module: 'node-red-context-redis', config: { host: 'SecretHost' } } },
      functionExternalModules: false,
      disableEditor: true,
      storageModule: { getFlows: () => [] },
    };
    const features = featuresInsight(reader(settings));
    assert.deepEqual(features, {
      adminAuth: true,
      httpNodeAuth: true,
      https: true,
      projects: true,
      contextStores: { memory: 1, localfilesystem: 1, other: 1 },
      functionExternalModules: false,
      editorTheme: true,
      disableEditor: true,
      storage: 'other',
    });
    assert.ok(!/Secret|dark|redis/.test(JSON.stringify(features)));
  });

  it('a getter that throws reads as unset; a Proxy section does not break it', () => {
    const hostile = Object.defineProperty({}, 'adminAuth', { get: () => { throw new Error('vault locked'); } }) as Record<string, unknown>;
    hostile.editorTheme = new Proxy({}, { get: () => { throw new Error('no'); } });
    hostile.contextStorage = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    const features = featuresInsight(reader(hostile));
    assert.equal(features.adminAuth, false);
    assert.equal(features.projects, false);
    assert.deepEqual(features.contextStores, { memory: 0, localfilesystem: 0, other: 0 });
  });
});
