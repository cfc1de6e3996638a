// Training progress on stderr: a redrawn bar (iteration, cost, ETA) on a terminal, plain lines otherwise.

/** Where progress goes: a stream with an optional isTTY and columns (process.stderr). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One update: the iteration reached, of how many, the last cost, and the elapsed milliseconds. */
export interface ProgressUpdate {
  iteration: number;
  total: number;
  cost: number;
  elapsedMs: number;
}

/** Seconds as "0.4s", "12s", "3m05s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}

/** Redraws at most every `intervalMs` on a TTY; prints about `lines` evenly spaced lines otherwise. */
export class Progress {
  readonly #out: ProgressStream;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  readonly #lines: number;
  #lastDraw = -Infinity;
  #nextLine = 0;
  #drawn = false;

  constructor(out: ProgressStream, options: { tty?: boolean; intervalMs?: number; lines?: number } = {}) {
    this.#out = out;
    this.#tty = options.tty ?? out.isTTY === true;
    this.#intervalMs = options.intervalMs ?? 80;
    this.#lines = options.lines ?? 10;
  }

  /** Reports progress; `force` draws regardless of throttling (the final update). */
  update(u: ProgressUpdate, force = false): void {
    const done = u.iteration >= u.total;
    const rate = u.iteration > 0 ? u.elapsedMs / u.iteration : NaN;
    const eta = done ? 0 : (u.total - u.iteration) * rate / 1000;
    const width = String(u.total).length;
    const stats = `it ${String(u.iteration).padStart(width)}/${u.total}  cost ${u.cost.toFixed(6)}  `
      + `${done ? `time ${formatSeconds(u.elapsedMs / 1000)}` : `ETA ${formatSeconds(eta)}`}`;
    if (this.#tty) {
      if (!force && !done && u.elapsedMs - this.#lastDraw < this.#intervalMs) return;
      this.#lastDraw = u.elapsedMs;
      const columns = this.#out.columns ?? 80;
      const barWidth = Math.max(10, Math.min(40, columns - stats.length - 8));
      const frac = Math.min(1, u.total > 0 ? u.iteration / u.total : 1);
      const full = Math.round(frac * barWidth);
      const bar = '█'.repeat(full) + '░'.repeat(barWidth - full);
      this.#out.write(`\r${bar} ${String(Math.floor(frac * 100)).padStart(3)}%  ${stats}\x1b[K`);
      this.#drawn = true;
      return;
    }
    // Plain lines: the first check, then each time another 1/lines of the run has passed, and the end.
    if (!force && !done && u.iteration < this.#nextLine) return;
    const step = Math.max(1, Math.ceil(u.total / this.#lines));
    this.#nextLine = (Math.floor(u.iteration / step) + 1) * step;
    this.#out.write(`${stats}\n`);
  }

  /** Ends the bar's line on a TTY. */
  finish(): void {
    if (this.#tty && this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }
}
