import { stopAllCollectors } from '../../collector/test/helpers/collector-process';
import { stopPostgres } from '../../collector/test/helpers/postgres';
import { stopAll } from './node-red';

// Root hooks: no Node-RED, collector or PostgreSQL process outlives the test run, even when a test fails.
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopAll();
    await stopAllCollectors();
    await stopPostgres();
  },
};
