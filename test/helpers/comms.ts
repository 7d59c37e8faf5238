import WebSocket from 'ws';

export interface CommsMessage {
  topic: string;
  data: unknown;
}

/** Subscribes to a Node-RED comms topic the way the editor does, and collects what arrives. */
export async function subscribe(baseUrl: string, topic: string): Promise<{ messages: CommsMessage[]; close(): void }> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/comms`);
  const messages: CommsMessage[] = [];
  ws.on('message', (raw: WebSocket.RawData) => {
    // One Buffer with ws's default binaryType; the other shapes of RawData read the same way.
    const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    const parsed = JSON.parse(bytes.toString()) as CommsMessage | CommsMessage[];
    messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ subscribe: topic }));
  return { messages, close: () => ws.close() };
}

/** Waits until a message on `topic` satisfies `match`. */
export async function waitForMessage(messages: CommsMessage[], topic: string, match: (data: unknown) => boolean, timeoutMs = 5000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = messages.find((m) => m.topic === topic && match(m.data));
    if (found) return found.data;
    if (Date.now() > deadline) throw new Error(`no ${topic} message matched in ${timeoutMs}ms; got ${JSON.stringify(messages)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
