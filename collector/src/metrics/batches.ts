import { Histogram, type Registry } from 'prom-client';
import { GROUP_COMMIT_DEFAULTS, type BatchObserver } from '../store/group-commit';

/** Powers of two up to the largest batch the group commit makes: 1, 2, 4, … 256. */
function batchSizeBuckets(): number[] {
  const buckets: number[] = [];
  for (let size = 1; size < GROUP_COMMIT_DEFAULTS.maxBatch; size *= 2) buckets.push(size);
  return [...buckets, GROUP_COMMIT_DEFAULTS.maxBatch];
}

/**
 * The group commit's batches (store/group-commit.ts), as histograms: how many
 * reports shared a transaction, and how long it took to make them durable
 * (the rate-limit checks, the inserts, the commit and, on SQLite, the sync of
 * the write-ahead log). Observed once per batch, never per report. Batches
 * that failed are not observed: their reports are counted as refused
 * (internal, store_unavailable) and the store's state says why.
 */
export function batchObserver(registry: Registry): BatchObserver {
  const sizes = new Histogram({
    name: 'collector_group_commit_batch_size',
    help: 'Reports per committed group-commit batch (transaction)',
    buckets: batchSizeBuckets(),
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'collector_group_commit_duration_seconds',
    help: 'Seconds from the start of a group-commit batch to its durable commit',
    // From a SQLite commit on a fast disk (about a millisecond) to a slow PostgreSQL round trip.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (size, duration) => {
    sizes.observe(size);
    seconds.observe(duration);
  };
}
