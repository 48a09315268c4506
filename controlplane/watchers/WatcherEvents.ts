import { EventEmitter } from "node:events";
import type { Watcher } from "./model.js";

/** What the engine tells the rest of the controlplane, after each change is committed. */
export class WatcherEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open WatchWatcher stream.
    this.emitter.setMaxListeners(0);
  }

  /** Calls `listener` with the watcher after each change; returns the unsubscribe function. */
  onChange(id: string, listener: (w: Watcher) => void): () => void {
    this.emitter.on(`watcher:${id}`, listener);
    return () => this.emitter.off(`watcher:${id}`, listener);
  }

  /** Loads the watcher only when someone listens. */
  changed(id: string, load: (id: string) => Watcher | undefined): void {
    const name = `watcher:${id}`;
    if (this.emitter.listenerCount(name) === 0) return;
    const w = load(id);
    if (w) this.emitter.emit(name, w);
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
}
