// What the entry points hand to a section and what a section hands back.
import { fmtRatio } from './util.js';

export interface SectionContext {
  /** Smoke run: fewer, shorter rounds, slow contenders skipped earlier. */
  quick: boolean;
  /** Spawn python3 for the numpy reference rows. */
  numpy: boolean;
  resultsDir: URL;
}

export interface SectionReport {
  /** Markdown heading text. */
  title: string;
  /** Bullet lines under the heading (checks, conditions, how to read the table). */
  notes: string[];
  warnings: string[];
  /** One markdown table. */
  table: string;
  /** Raw results for the JSON file. */
  json: unknown;
}

/** One ratio per column contender: column median ÷ row median (> 1: the row is that many times faster). */
export function ratioCells(rowMedian: number | undefined, columns: (number | undefined)[]): string[] {
  return columns.map((c) => (rowMedian === undefined || c === undefined ? '—' : fmtRatio(c / rowMedian)));
}
