/**
 * The node's one event bus. Subsystems publish what happened as typed events; the RPC's
 * streams, the dashboard, metrics and the simulator's recorder subscribe instead of polling.
 * Publishing never throws: a subscriber that throws is reported through `onSubscriberError`
 * and the others still run.
 *
 * Add an event by adding a member to `KiteEventMap`; the name is `subsystem_what`.
 */

/** Every event the node publishes, by name, with its payload. Ids are lowercase hex. */
export interface KiteEventMap {
  peer_connected: { peerId: string; outbound: boolean; address: string };
  peer_disconnected: { peerId: string; reason?: string };
  block_connected: { height: number; hash: string };
  block_disconnected: { height: number; hash: string };
  channel_state_changed: { channelId: string; peerId: string; shortChannelId?: string; from: string; to: string; reason?: string };
  htlc_added: { channelId: string; direction: 'in' | 'out'; htlcId: string; amountMsat: bigint; paymentHash: string; cltvExpiry: number };
  htlc_settled: { channelId: string; direction: 'in' | 'out'; htlcId: string; paymentHash: string };
  htlc_failed: { channelId: string; direction: 'in' | 'out'; htlcId: string; paymentHash: string; reason?: string };
  payment_succeeded: { paymentHash: string; amountMsat: bigint; amountSentMsat: bigint; preimage: string };
  payment_failed: { paymentHash: string; reason: string };
  invoice_paid: { label: string; paymentHash: string; amountReceivedMsat: bigint };
  onchain_progress: { channelId: string; txid?: string; what: string; height?: number };
}

export type KiteEventName = keyof KiteEventMap;
export type KiteEvent = { [K in KiteEventName]: { type: K } & KiteEventMap[K] }[KiteEventName];

type Handler<K extends KiteEventName> = (event: { type: K } & KiteEventMap[K]) => void;
type AnyHandler = (event: KiteEvent) => void;

export class EventBus {
  private byName = new Map<KiteEventName, Set<Handler<KiteEventName>>>();
  private all = new Set<AnyHandler>();
  /** Called when a subscriber throws; the default ignores it (the publisher must not fail). */
  onSubscriberError: (error: unknown, event: KiteEvent) => void = () => {};

  /** Subscribes to one event; returns the function that unsubscribes. */
  on<K extends KiteEventName>(name: K, handler: Handler<K>): () => void {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(handler as Handler<KiteEventName>);
    return () => set.delete(handler as Handler<KiteEventName>);
  }

  /** Subscribes to every event; returns the function that unsubscribes. */
  onAny(handler: AnyHandler): () => void {
    this.all.add(handler);
    return () => this.all.delete(handler);
  }

  /** Resolves with the next event of that name that `match` accepts (all, by default). */
  next<K extends KiteEventName>(name: K, match: (e: { type: K } & KiteEventMap[K]) => boolean = () => true): Promise<{ type: K } & KiteEventMap[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (e) => {
        if (!match(e)) return;
        off();
        resolve(e);
      });
    });
  }

  /** Publishes an event to its subscribers, then to the catch-all ones. */
  emit<K extends KiteEventName>(name: K, payload: KiteEventMap[K]): void {
    const event = { type: name, ...payload } as { type: K } & KiteEventMap[K];
    for (const h of this.byName.get(name) ?? []) this.call(() => (h as Handler<K>)(event), event as KiteEvent);
    for (const h of this.all) this.call(() => h(event as KiteEvent), event as KiteEvent);
  }

  private call(fn: () => void, event: KiteEvent): void {
    try {
      fn();
    } catch (e) {
      try {
        this.onSubscriberError(e, event);
      } catch {
        // nothing more to do: a broken error handler must not break the publisher either
      }
    }
  }
}
