import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The transaction of the current async flow, in an AsyncLocalStorage that is enabled only while a
 * transaction is open. On Node 20 an enabled AsyncLocalStorage installs promise hooks that tax every
 * promise of the process (discord.js's and undici's too): a bare discord.js bot with one enabled
 * acknowledged a burst of 30 with about twice the p99 (P1, README "Tuned, and what cannot be").
 */
export class TxContext<T extends { open: boolean }> {
  private readonly storage = new AsyncLocalStorage<T>();
  private running = 0;

  /** The open transaction this flow runs in, if any. */
  get(): T | undefined {
    if (this.running === 0) return undefined;
    const ctx = this.storage.getStore();
    return ctx?.open ? ctx : undefined;
  }

  /** Runs `fn` inside `ctx`; once no transaction is open, the storage (and its hooks) is disabled. */
  async run<R>(ctx: T, fn: () => Promise<R>): Promise<R> {
    this.running++;
    try {
      return await this.storage.run(ctx, fn);
    } finally {
      if (--this.running === 0) this.storage.disable();
    }
  }
}
