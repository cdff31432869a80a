import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Logger } from '../log/index.js';
import type { DeliveryRoute, Job } from '../domain/job.js';
import type { MessagePayload } from './render.js';
import { t } from '../i18n/index.js';

/** Progress edits of one message stay at least this far apart (Discord's pacing); final edits are not held back. */
export const PROGRESS_EDIT_GAP_MS = 5000;

/** Interaction tokens live 15 minutes (after that the bot clears them from its rows). */
export const INTERACTION_TOKEN_LIFE_MS = 15 * 60_000;
/** Stop using a token a little before it dies. */
export const INTERACTION_TOKEN_TTL_MS = INTERACTION_TOKEN_LIFE_MS - 30_000;

/** Whether the webhook routes may still be tried with this job's token. */
function tokenUsable(job: Job, now: number): boolean {
  return job.interactionToken !== '' && now - job.createdAt < INTERACTION_TOKEN_TTL_MS;
}

/** Discord JSON error codes that decide the fallback route. */
const TOKEN_DEAD = new Set([50027, 10015]);
const MESSAGE_GONE = new Set([10008, 10003, 50001, 50013]);
const CANNOT_DM = new Set([50007, 50278]);

export interface Delivered {
  route: DeliveryRoute;
  messageId: string;
  channelId: string;
  /** Attachments of the delivered message, with their stored URLs. */
  attachments: { filename: string; url: string }[];
}

/** A delivery that should be tried again later (network, 5xx, rate limits). */
class RetryableDeliveryError extends Error {
  override name = 'RetryableDeliveryError';
}

/** Nowhere left to deliver: the member cannot be reached at all. */
export class UndeliverableError extends Error {
  override name = 'UndeliverableError';
}

interface APIMessageLike {
  id: string;
  channel_id: string;
  attachments?: { filename: string; url: string }[];
}

function code(err: unknown): number | null {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : null;
}

const CONTENT_TYPES: Record<string, string> = { '.glb': 'model/gltf-binary', '.webp': 'image/webp', '.png': 'image/png', '.gif': 'image/gif' };

interface MessageRequest {
  body: unknown;
  passThroughBody?: true;
}

/**
 * A file on disk as one part of a multipart upload: read from disk each time the request is sent
 * (again on a retry), never held in memory. Not `fs.openAsBlob`: on Node 20, a file Blob whose
 * stream is cancelled (Discord or a proxy answers before the upload ends: a 429, a refused route)
 * keeps its file descriptor open for good.
 */
class DiskFile extends File {
  readonly #path: string;

  constructor(path: string, bytes: number, name: string, type: string) {
    super([], name, { type });
    this.#path = path;
    // undici frames the part with `size`; the content comes from stream().
    Object.defineProperty(this, 'size', { value: bytes });
  }

  override stream(): ReadableStream<Uint8Array> {
    // A Node stream closes its descriptor when it ends and when it is destroyed: ReadableStream.from
    // destroys it on a cancel. Not Readable.toWeb: on Node 20, a chunk read after the cancel throws
    // "Controller is already closed" as an uncaught exception (nodejs/node#54205).
    return ReadableStream.from(createReadStream(this.#path)) as ReadableStream<Uint8Array>;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await readFile(this.#path);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
}

/**
 * The request for one message. With files it is multipart, as discord.js would build it
 * (`files[n]` then `payload_json`), but each file is a DiskFile: the upload streams it, where
 * discord.js's own `files` option would hold a buffer and a copy of it in memory (a 50 MB GLB cost
 * about 190 MB of RSS that way).
 */
async function toRequest(p: MessagePayload, withFiles: boolean) {
  const files = withFiles
    ? await Promise.all(
        p.files.map(async (f) => new DiskFile(f.path, (await stat(f.path)).size, f.name, CONTENT_TYPES[extname(f.name)] ?? '')),
      )
    : [];
  const body: Record<string, unknown> = {
    content: p.content,
    embeds: p.embeds,
    components: p.components,
    allowed_mentions: { parse: [], users: p.mentionUsers },
  };
  if (withFiles) body.attachments = p.files.map((f, i) => ({ id: i, filename: f.name }));
  const request = (json: Record<string, unknown>): MessageRequest => {
    if (files.length === 0) return { body: json };
    const form = new FormData();
    // No file name argument: FormData would copy the part into a new File (without its stream()).
    files.forEach((f, i) => form.append(`files[${i}]`, f));
    form.append('payload_json', JSON.stringify(json));
    return { body: form, passThroughBody: true };
  };
  return { body, request };
}

/**
 * Puts a job's message in front of the member, falling back route by route:
 * the interaction webhook while its token lives, then the channel message by id,
 * then (for results only) a new message that mentions the member, then a DM.
 */
export class Deliverer {
  constructor(
    private readonly rest: REST,
    private readonly log: Logger,
  ) {}

  async deliver(job: Job, payload: MessagePayload, opts: { final: boolean; now: number }): Promise<Delivered | null> {
    const ctx = { jobId: job.id, taskId: job.taskId };
    // A result sets the message's files (none is none); progress sends its own (the picture) or keeps what is there.
    const { body, request } = await toRequest(payload, opts.final || payload.files.length > 0);
    const tokenAlive = tokenUsable(job, opts.now);
    // Once the message moved (new channel message or DM), @original is no longer the member's message.
    const moved = job.deliveryRoute === 'channel_message' || job.deliveryRoute === 'dm';
    // A job started from a result's button has its own channel message (a reply to the result);
    // that interaction's @original is the presser's private answer, never the job's message.
    const ownMessage = job.parentJobId !== null;
    let replyGone = job.replyGone;

    if (tokenAlive && !replyGone && !moved && !ownMessage) {
      try {
        const msg = (await this.rest.patch(Routes.webhookMessage(job.applicationId, job.interactionToken, '@original'), {
          ...request(body),
          auth: false,
        })) as APIMessageLike;
        return { route: 'webhook', messageId: msg.id, channelId: msg.channel_id, attachments: msg.attachments ?? [] };
      } catch (err) {
        const c = code(err);
        if (c !== null && TOKEN_DEAD.has(c)) this.log.info({ ...ctx, code: c }, 'interaction token no longer valid; using the channel route');
        else if (c === 10008) replyGone = true;
        else throw this.retryable(err, 'webhook edit');
      }
    }

    if (!replyGone && job.messageId) {
      try {
        const msg = (await this.rest.patch(Routes.channelMessage(job.channelId, job.messageId), request(body))) as APIMessageLike;
        return { route: 'channel_edit', messageId: msg.id, channelId: msg.channel_id, attachments: msg.attachments ?? [] };
      } catch (err) {
        const c = code(err);
        if (c === null || !MESSAGE_GONE.has(c)) throw this.retryable(err, 'channel edit');
        this.log.info({ ...ctx, code: c }, 'reply cannot be edited; it is gone or out of reach');
        replyGone = true;
      }
    }
    // Progress has nowhere useful to go once the reply is unreachable; only results are re-posted.
    if (!opts.final) return null;

    const fresh = {
      ...body,
      content: `${t(job.locale, 'job.newMessageNote', { user: `<@${job.userId}>` })}\n${payload.content}`,
      allowed_mentions: { parse: [], users: [job.userId] },
    };
    try {
      const msg = (await this.rest.post(Routes.channelMessages(job.channelId), request(fresh))) as APIMessageLike;
      return { route: 'channel_message', messageId: msg.id, channelId: msg.channel_id, attachments: msg.attachments ?? [] };
    } catch (err) {
      const c = code(err);
      if (c === null || !MESSAGE_GONE.has(c)) throw this.retryable(err, 'new channel message');
      this.log.info({ ...ctx, code: c }, 'cannot post in the channel; sending a DM');
    }

    try {
      const dm = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: job.userId } })) as { id: string };
      const msg = (await this.rest.post(Routes.channelMessages(dm.id), request(fresh))) as APIMessageLike;
      return { route: 'dm', messageId: msg.id, channelId: msg.channel_id, attachments: msg.attachments ?? [] };
    } catch (err) {
      const c = code(err);
      if (c !== null && (CANNOT_DM.has(c) || MESSAGE_GONE.has(c))) {
        throw new UndeliverableError(`the member cannot be reached by any route (last: DM, code ${c})`);
      }
      throw this.retryable(err, 'direct message');
    }
  }

  /** Adds or replaces the components of an already delivered message (the download button). */
  async editComponents(job: Job, route: DeliveryRoute, messageId: string, channelId: string, payload: MessagePayload, now: number) {
    const body = { components: payload.components };
    if (route === 'webhook' && job.parentJobId === null && tokenUsable(job, now)) {
      await this.rest.patch(Routes.webhookMessage(job.applicationId, job.interactionToken, '@original'), { body, auth: false });
    } else {
      await this.rest.patch(Routes.channelMessage(channelId, messageId), { body });
    }
  }

  private retryable(err: unknown, step: string): RetryableDeliveryError {
    const detail = err instanceof DiscordAPIError ? `${err.status} ${String(err.code)} ${err.message}` : String(err);
    return new RetryableDeliveryError(`${step} failed: ${detail}`);
  }
}
