import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmxapiSimulator } from './simulator.js';

/** The simulator's `input.images` (multi-view) as DMXAPI documents it. */
describe('DMXAPI simulator: input.images', () => {
  let sim: DmxapiSimulator;
  beforeAll(async () => {
    sim = await DmxapiSimulator.start();
  });
  afterAll(async () => {
    await sim.close();
  });

  const submit = async (input: unknown): Promise<{ status: number; message: string }> => {
    const res = await fetch(`${sim.baseUrl}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: sim.key },
      body: JSON.stringify({ model: 'Tripo-P1.0', input, parameters: { texture_quality: 'standard' } }),
    });
    const json = (await res.json()) as { error?: { message: string } };
    return { status: res.status, message: json.error?.message ?? '' };
  };
  const u = (name: string) => ({ url: `https://example.com/${name}.png` });

  it('takes four entries in the order front, left, back, right, {} for a missing view, and bills a task', async () => {
    const tasks = sim.tasks.size;
    expect((await submit({ images: [u('front'), {}, u('back'), {}] })).status).toBe(200);
    expect(sim.tasks.size).toBe(tasks + 1);
    expect(sim.submits.at(-1)!.imageUrl).toBe('https://example.com/front.png');
  });

  it.each([
    ['three entries', { images: [u('f'), u('l'), u('b')] }, 'exactly 4'],
    ['one picture', { images: [u('f'), {}, {}, {}] }, 'at least 2'],
    ['an entry that is not an object', { images: [u('f'), 'https://example.com/l.png', {}, {}] }, 'input.images[1]'],
    ['an entry with another key', { images: [u('f'), { image: 'https://example.com/l.png' }, {}, {}] }, 'input.images[1]'],
    ['image and images together', { image: 'https://example.com/f.png', images: [u('f'), u('l'), {}, {}] }, 'mutually exclusive'],
  ])('refuses %s, creating no task', async (_, input, words) => {
    const tasks = sim.tasks.size;
    const answer = await submit(input);
    expect(answer.status).toBe(400);
    expect(answer.message).toContain(words);
    expect(sim.tasks.size).toBe(tasks);
  });
});
