/** Shared types of the fake Discord. Payloads are plain JSON objects shaped like Discord's API v10. */

export type Json = Record<string, unknown>;

export interface FakeUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  system?: boolean;
  public_flags?: number;
  flags?: number;
  [key: string]: unknown;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: string;
  position: number;
  color: number;
  colors?: { primary_color: number; secondary_color: number | null; tertiary_color: number | null };
  hoist: boolean;
  managed: boolean;
  mentionable: boolean;
  icon: string | null;
  unicode_emoji: string | null;
  flags: number;
  tags?: Json;
  [key: string]: unknown;
}

export interface FakeChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string | null;
  position?: number;
  parent_id?: string | null;
  recipients?: FakeUser[];
  [key: string]: unknown;
}

export interface FakeGuild {
  id: string;
  name: string;
  owner_id: string;
  preferred_locale: string;
  premium_tier: number;
  channels: FakeChannel[];
  roles: FakeRole[];
  members: Json[];
  [key: string]: unknown;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  width?: number | null;
  height?: number | null;
  ephemeral?: boolean;
  description?: string;
  title?: string;
  [key: string]: unknown;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  type: number;
  content: string;
  author: FakeUser;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: string[];
  attachments: FakeAttachment[];
  embeds: unknown[];
  components: unknown[];
  pinned: boolean;
  flags: number;
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: Json;
  interaction?: Json;
  [key: string]: unknown;
}

/** A file part from a multipart body. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  bytes: Buffer;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path as sent, e.g. `/api/v10/webhooks/123/aW50.../messages/@original`. */
  path: string;
  /** Route template without the `/api/v10` prefix, e.g. `/webhooks/:app/:token/messages/@original`; `null` if unknown. */
  route: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, or `payload_json` of a multipart body; `null` when empty. */
  body: unknown;
  files: UploadedFile[];
  status: number;
  response: unknown;
  /** Name of the fault that answered or delayed, if any. */
  fault: string | null;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  applicationId: string;
  type: number;
  payload: Json;
  channelId: string;
  guildId: string | null;
  /** Date.now() when INTERACTION_CREATE was dispatched. */
  sentAt: number;
  /** performance.now() at dispatch (for precise latency). */
  sentAtHr: number;
  ackedAt: number | null;
  ackLatencyMs: number | null;
  ackType: number | null;
  ackBody: unknown;
  /** Id of the message that `@original` refers to. */
  originalMessageId: string | null;
  followupIds: string[];
}

export interface HostedFile {
  id: string;
  path: string;
  url: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  width: number | null;
  height: number | null;
  /** Served from the second request on, in place of `bytes` (HostFileOptions.thenServe). */
  thenServe?: Buffer;
}
