/** Every store test runs against both: `describe.each(BACKENDS)('… (%s)', (backend) => …)`. */
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];
