import { stopAll } from './node-red';

// Root hooks: no Node-RED child process outlives the test run, even when a test fails.
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopAll();
  },
};
