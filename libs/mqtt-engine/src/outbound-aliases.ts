// Outbound topic aliases [MQTT-3.3.2-7..11]: a topic sent to a v5 client before goes as its alias
// alone, within the Topic Alias Maximum the client gave in CONNECT.

/**
 * The topic aliases we use towards one client: up to its Topic Alias Maximum, and once all are
 * taken the least recently assigned alias is given to the new topic.
 */
export class OutboundAliases {
  readonly #maximum: number;
  readonly #byTopic = new Map<string, number>();
  readonly #topics: string[] = [];
  #next = 0;

  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /** The alias for a topic, and whether the client already knows it. */
  lookup(topic: string): { alias: number; known: boolean } {
    const alias = this.#byTopic.get(topic);
    if (alias !== undefined) return { alias, known: true };
    return { alias: (this.#next % this.#maximum) + 1, known: false };
  }

  /** The PUBLISH carrying topic and alias was written: the client now maps alias → topic. */
  commit(topic: string, alias: number): void {
    const previous = this.#topics[alias - 1];
    if (previous !== undefined) this.#byTopic.delete(previous);
    this.#topics[alias - 1] = topic;
    this.#byTopic.set(topic, alias);
    this.#next++;
  }
}
