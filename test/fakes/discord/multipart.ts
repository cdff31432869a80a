import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { UploadedFile } from './types.js';

export interface ParsedBody {
  /** JSON body, or the parsed `payload_json` part; null if none. */
  body: unknown;
  files: UploadedFile[];
  /** Non-file form fields other than payload_json. */
  fields: Record<string, string>;
  /** Raw bytes size received. */
  size: number;
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 50109, 'The request body contains invalid JSON.');
  }
}

function parseMultipart(req: IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: 1024 * 1024 * 1024, fieldSize: 16 * 1024 * 1024 } });
    } catch (err) {
      reject(new BodyError(400, 0, `400: Bad Request (${(err as Error).message})`));
      return;
    }
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    const pending: Promise<void>[] = [];
    let size = 0;
    bb.on('file', (field, stream, info) => {
      pending.push(
        new Promise<void>((res, rej) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => {
            chunks.push(c);
            size += c.length;
          });
          stream.on('error', rej);
          stream.on('end', () => {
            const bytes = Buffer.concat(chunks);
            files.push({ field, filename: info.filename ?? 'file', contentType: info.mimeType, size: bytes.length, bytes });
            res();
          });
        }),
      );
    });
    bb.on('field', (name, value) => {
      size += value.length;
      fields[name] = value;
    });
    bb.on('error', (err: Error) => reject(new BodyError(400, 0, `400: Bad Request (${err.message})`)));
    bb.on('close', () => {
      Promise.all(pending)
        .then(() => {
          let body: unknown = null;
          const pj = fields.payload_json;
          if (pj !== undefined) {
            body = parseJson(pj);
            delete fields.payload_json;
          }
          // Keep the order of files[n] by index, as Discord maps them to attachments by index.
          files.sort((a, b) => fileIndex(a.field) - fileIndex(b.field));
          resolve({ body, files, fields, size });
        })
        .catch(reject);
    });
    req.pipe(bb);
  });
}

/** `files[3]` → 3; `file` → 0; other names sort last. */
export function fileIndex(field: string): number {
  const m = /^files?\[(\d+)\]$/.exec(field);
  if (m) return Number(m[1]);
  return field === 'file' ? 0 : Number.MAX_SAFE_INTEGER;
}

/** Reads and parses a request body: JSON, multipart/form-data (payload_json + files[n]) or nothing. */
export async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return parseMultipart(req);
  const raw = await readAll(req);
  if (raw.length === 0) return { body: null, files: [], fields: {}, size: 0 };
  if (type.startsWith('application/json')) return { body: parseJson(raw.toString('utf8')), files: [], fields: {}, size: raw.length };
  return { body: raw.toString('utf8'), files: [], fields: {}, size: raw.length };
}
