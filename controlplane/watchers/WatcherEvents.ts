import { EventEmitter } from "node:events";

/** What the engine tells the rest of the controlplane, after each change is committed. */
export class WatcherEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open WatchWatcher stream.
    this.emitter.setMaxListeners(0);
  }

  /**
   * Calls `listener` after each change of the watcher this process made; returns the
   * unsubscribe function. The listener reads the watcher itself: the newest read is the newest
   * state, whatever order reads answer in.
   */
  onChange(id: string, listener: () => void): () => void {
    this.emitter.on(`watcher:${id}`, listener);
    return () => this.emitter.off(`watcher:${id}`, listener);
  }

  changed(id: string): void {
    this.emitter.emit(`watcher:${id}`);
  }

  /** Outbox rows were written. */
  onDeliveriesQueued(listener: () => void): void {
    this.emitter.on("deliveries", listener);
  }

  deliveriesQueued(): void {
    this.emitter.emit("deliveries");
  }

  /** A watcher ended: in-flight deliveries of it are moot. */
  onEnded(listener: (id: string) => void): void {
    this.emitter.on("ended", listener);
  }

  ended(id: string): void {
    this.emitter.emit("ended", id);
  }

  /** A watcher with a deadline at `at` was added; the timeout loop may need to wake sooner. */
  onExpiryAdded(listener: (at: Date) => void): void {
    this.emitter.on("expiry", listener);
  }

  expiryAdded(at: Date): void {
    this.emitter.emit("expiry", at);
  }

  /** A watcher was made that asks the replica watching Jobs to look its Job up. */
  onBindRequested(listener: () => void): void {
    this.emitter.on("bind", listener);
  }

  bindRequested(): void {
    this.emitter.emit("bind");
  }
}
