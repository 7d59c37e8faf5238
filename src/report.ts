import os from 'node:os';
import { Report } from './schema';

/**
 * Builds the report. The only place that knows what is collected: the preview
 * in the editor and the payload sent are both made here.
 */
export function buildReport(instanceId: string, nodeRedVersion: string): Report {
  return {
    instanceId,
    os: { type: os.type(), release: os.release(), arch: os.arch() },
    env: { nodejs: process.version.replace(/^v/, ''), 'node-red': nodeRedVersion },
  };
}
