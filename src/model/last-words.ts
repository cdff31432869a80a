// What a dying model process said on stderr: a bounded tail, and the line that said memory ran out.

/** Enough of a dying process's stderr to say why. */
const TAIL_CHARS = 4096;
/** V8's and the allocator's last words when memory ran out. */
const OUT_OF_MEMORY = /heap out of memory|Fatal process out of memory|Reached heap limit|allocation failed|bad_alloc/i;

/**
 * Reads stderr as it arrives. V8 prints its fatal out-of-memory line first and a native stack trace
 * after it, which under load can be longer than the tail; so that line is caught as it arrives and
 * kept on its own rather than looked for in the tail at the end.
 */
export class LastWords {
  private tail = '';
  private oom: string | undefined;

  push(chunk: string): void {
    const text = this.tail + chunk;
    this.oom ??= text.split('\n').find((line) => OUT_OF_MEMORY.test(line))?.trim();
    this.tail = text.slice(-TAIL_CHARS);
  }

  /** The line that said memory ran out, if any did. */
  get outOfMemory(): string | undefined {
    return this.oom;
  }

  /** One line for a log: the out-of-memory line, or else the last three lines. */
  summary(): string {
    return (this.oom ?? this.tail.trim().split('\n').filter(Boolean).slice(-3).join(' | ')).slice(0, 500);
  }
}
