import { shareOneServer } from '../../collector/test/helpers/postgres';

// `npm test` runs its files in parallel workers (.mocharc.json). What one worker
// would otherwise start for itself and share across its files is set up here,
// once, in mocha's main process; the workers inherit it through the environment.
let stopShared: (() => Promise<void>) | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  stopShared = await shareOneServer();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopShared?.();
}
