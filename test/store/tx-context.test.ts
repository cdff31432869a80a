import { describe, expect, it } from 'vitest';
import { TxContext } from '../../src/store/tx-context.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('TxContext: the open transaction of an async flow', () => {
  it('follows the flow across awaits, keeps concurrent flows apart, and nests', async () => {
    const tx = new TxContext<{ name: string; open: boolean }>();
    const seen: string[] = [];
    const flow = (name: string) =>
      tx.run({ name, open: true }, async () => {
        await tick();
        seen.push(`${name}:${tx.get()?.name}`);
        await tx.run({ name: `${name}.inner`, open: true }, async () => {
          await tick();
          seen.push(`${name}.inner:${tx.get()?.name}`);
        });
        seen.push(`${name} after inner:${tx.get()?.name}`);
      });
    await Promise.all([flow('a'), flow('b')]);
    expect(seen.sort()).toEqual(['a after inner:a', 'a.inner:a.inner', 'a:a', 'b after inner:b', 'b.inner:b.inner', 'b:b']);
    expect(tx.get()).toBeUndefined();
  });

  it('a flow started inside a transaction sees none once the transaction closed, and a new one works', async () => {
    const tx = new TxContext<{ name: string; open: boolean }>();
    let later: Promise<string | undefined> | null = null;
    let go = () => undefined as void;
    const gate = new Promise<void>((r) => (go = r));
    const ctx = { name: 'first', open: true };
    await tx.run(ctx, async () => {
      later = gate.then(() => tx.get()?.name);
    });
    ctx.open = false;
    go();
    expect(await later!).toBeUndefined();
    expect(await tx.run({ name: 'second', open: true }, async () => (await tick(), tx.get()?.name))).toBe('second');
    expect(tx.get()).toBeUndefined();
  });
});
