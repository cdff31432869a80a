import { z } from 'zod';

const TASK_STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

const optionalString = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));

const contentItemSchema = z.looseObject({
  type: z.string().optional(),
  text: z.string().nullish(),
});

const outputItemSchema = z.looseObject({
  type: z.string().optional(),
  content: z.array(contentItemSchema).nullish(),
});

/** The `/v1/responses` envelope. Extra fields are kept and ignored. */
export const envelopeSchema = z.looseObject({
  request_id: z.string().nullish(),
  id: z.string().nullish(),
  output: z.array(outputItemSchema).min(1),
  usage: z
    .looseObject({
      // What the account was billed, kept with the job: a value that is no whole count is dropped
      // rather than failing a submit that the provider has already accepted and billed.
      total_tokens: z.number().int().nonnegative().nullish().catch(null),
    })
    .nullish(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** The first `output_text` of the envelope (falls back to the first text of any type). */
export function envelopeText(env: Envelope): string | undefined {
  let fallback: string | undefined;
  for (const item of env.output) {
    for (const c of item.content ?? []) {
      if (typeof c.text !== 'string') continue;
      if (c.type === 'output_text') return c.text;
      fallback ??= c.text;
    }
  }
  return fallback;
}

const resultSchema = z.looseObject({
  pbr_model_url: z.string().nullish(),
  rendered_image_url: z.string().nullish(),
});

/** The JSON inside `output[0].content[0].text`. */
export const taskPayloadSchema = z.looseObject({
  task_id: z.string().min(1).nullish(),
  task_status: taskStatusSchema,
  submit_time: optionalString,
  scheduled_time: optionalString,
  end_time: optionalString,
  results: z
    .preprocess((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [v] : v), z.array(resultSchema))
    .nullish(),
  code: optionalString,
  message: optionalString,
});
export type TaskPayload = z.infer<typeof taskPayloadSchema>;

/** A JSON text that carries an error instead of a task (`{code, message}` without `task_status`). */
export const payloadErrorSchema = z.looseObject({
  code: optionalString,
  message: optionalString,
});

/** Error bodies of new-api style gateways: `{error:{message,type,code}}`, or a flat `{message}`. */
const errorEnvelopeSchema = z.union([
  z.looseObject({
    error: z.looseObject({
      message: z.string().nullish(),
      type: z.string().nullish(),
      code: optionalString,
    }),
  }),
  z.looseObject({
    message: z.string(),
    code: optionalString,
  }),
]);

/** Extracts `{message, code}` from an error body; undefined when it is not one. */
export function parseErrorBody(text: string): { message?: string; code?: string; type?: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = errorEnvelopeSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  if ('error' in d && d.error && typeof d.error === 'object') {
    const e = d.error as { message?: string | null; type?: string | null; code?: string };
    return {
      ...(e.message ? { message: e.message } : {}),
      ...(e.code ? { code: e.code } : {}),
      ...(e.type ? { type: e.type } : {}),
    };
  }
  const flat = d as { message: string; code?: string };
  return { message: flat.message, ...(flat.code ? { code: flat.code } : {}) };
}

/** `GET /v1/dashboard/billing/subscription` (OpenAI style, as new-api gateways answer it). */
export const subscriptionSchema = z.looseObject({
  hard_limit_usd: z.number().nullish(),
});

/** `GET /v1/dashboard/billing/usage`: `total_usage` is in US cents. */
export const usageSchema = z.looseObject({
  total_usage: z.number().nullish(),
});
