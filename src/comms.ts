import { errorMessage, Logger } from './log';

/** Retained comms topics the editor subscribes to. */
export const TOPIC_STATUS = 'node-red-telemetry/status';
export const TOPIC_UPDATE = 'node-red-telemetry/update';

export type Publish = (topic: string, data: unknown) => void;

/** A publish that never throws: an editor that misses one message gets the next. */
export function safePublisher(publish: Publish, log: Logger): Publish {
  return (topic, data) => {
    try {
      publish(topic, data);
    } catch (err) {
      log.debug('publish-failed', { error: errorMessage(err) });
    }
  };
}
