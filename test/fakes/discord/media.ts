import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostedFile } from './types.js';

/** Width/height of a PNG, GIF, WebP (VP8X) or JPEG, or null. */
export function imageSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 3) === 'GIF') {
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 16) === 'WEBPVP8X') {
    return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1] ?? 0;
      const len = bytes.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
  }
  return null;
}

/** Serves a hosted file with Content-Length, HEAD, and single-range `Range` support (206 / 416). */
export function serveFile(req: IncomingMessage, res: ServerResponse, file: HostedFile): number {
  const total = file.bytes.length;
  const headers: Record<string, string | number> = {
    'content-type': file.contentType,
    'accept-ranges': 'bytes',
    'cache-control': 'public, max-age=31536000',
    'content-disposition': `attachment; filename="${file.filename.replace(/"/g, '')}"`,
  };
  const range = req.headers.range;
  let start = 0;
  let end = total - 1;
  let status = 200;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!m || (m[1] === '' && m[2] === '')) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return 416;
    }
    if (m[1] === '') {
      const suffix = Number(m[2]);
      start = Math.max(0, total - suffix);
    } else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(Number(m[2]), total - 1);
    }
    if (start >= total || start > end) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return 416;
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${total}`;
  }
  const body = total === 0 ? Buffer.alloc(0) : file.bytes.subarray(start, end + 1);
  headers['content-length'] = body.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  if (req.method !== 'HEAD' && file.thenServe) {
    file.bytes = file.thenServe;
    delete file.thenServe;
  }
  return status;
}
