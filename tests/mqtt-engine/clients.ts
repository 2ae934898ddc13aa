// MQTT.js clients for the engine suites: connect, wait for messages, close.
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';

/** A connected client, or the CONNACK error. */
export async function connectClient(
  url: string,
  options: IClientOptions,
  beforeConnect?: (client: MqttClient) => void,
): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  // Listeners that must not miss what arrives right after CONNACK (queued messages).
  beforeConnect?.(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  // After CONNACK, errors (a refused SUBSCRIBE, a server DISCONNECT) are answers the tests
  // inspect; keep them from being thrown as unhandled 'error' events.
  client.on('error', () => undefined);
  return client;
}

/** Collects messages on a client. */
export function collect(client: MqttClient): {
  messages: { topic: string; payload: string; packet: IPublishPacket }[];
} {
  const box = { messages: [] as { topic: string; payload: string; packet: IPublishPacket }[] };
  client.on('message', (topic, payload, packet) =>
    box.messages.push({ topic, payload: payload.toString(), packet }),
  );
  return box;
}

/** Waits until `probe` returns something (sync or async) or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Ends a client cleanly. */
export function end(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}
