/**
 * CSV files read in chunks, for training on files larger than memory (`simdnet train --stream`,
 * Network.fitDataset). csv-parse's streaming parser (an optional dependency) reads the file; only one
 * chunk of parsed rows exists at a time.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { optionalImportFailed } from '../runtime/optional.js';

type CsvStreamParser = (options: Record<string, unknown>) => NodeJS.ReadWriteStream & AsyncIterable<string[]>;

function streamParser(): CsvStreamParser {
  try {
    return (createRequire(import.meta.url)('csv-parse') as { parse: CsvStreamParser }).parse;
  } catch (e) {
    return optionalImportFailed(e, 'csv-parse', 'reading CSV files');
  }
}

/** A chunk of a CSV file: features examples-first and the label column's text. */
export interface CsvChunk {
  X: { data: Float64Array; shape: [number, number] };
  labels: string[] | null;
  /** 0-based index of the chunk's first data row. */
  firstRow: number;
}

/** Options of csvChunks. */
export interface CsvChunkOptions {
  /** Label column (name, or 0-based index as digits); null for none. */
  label: string | null;
  /** Data rows per chunk (default 65536). */
  chunkRows?: number;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reads `path` chunk by chunk; every other column than the label is a feature. Errors name the line. */
export async function* csvChunks(path: string, options: CsvChunkOptions): AsyncGenerator<CsvChunk> {
  const parse = streamParser();
  const rowsPerChunk = options.chunkRows ?? 65536;
  const parser = createReadStream(path).pipe(parse({ bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }));
  let columns: string[] | null = null;
  let labelIndex = -1;
  let featureIndex: number[] = [];
  let data: Float64Array | null = null;
  let labels: string[] | null = null;
  let filled = 0;
  let row = 0;
  const flush = (): CsvChunk => {
    const n = featureIndex.length;
    const chunk = { X: { data: data!.subarray(0, filled * n), shape: [filled, n] as [number, number] }, labels: labels === null ? null : labels.slice(0, filled), firstRow: row - filled };
    data = new Float64Array(rowsPerChunk * n);
    labels = labelIndex >= 0 ? new Array<string>(rowsPerChunk) : null;
    filled = 0;
    return chunk;
  };
  try {
    for await (const record of parser) {
      if (columns === null) {
        columns = record;
        labelIndex = options.label === null ? -1 : columns.indexOf(options.label);
        if (options.label !== null && labelIndex < 0) {
          if (/^\d+$/.test(options.label) && Number(options.label) < columns.length) labelIndex = Number(options.label);
          else throw new Error(`CSV: no label column "${options.label}" (columns: ${columns.join(', ')})`);
        }
        featureIndex = columns.map((_, i) => i).filter((i) => i !== labelIndex);
        if (featureIndex.length === 0) throw new Error('CSV: no feature columns left besides the label');
        data = new Float64Array(rowsPerChunk * featureIndex.length);
        labels = labelIndex >= 0 ? new Array<string>(rowsPerChunk) : null;
        continue;
      }
      const n = featureIndex.length;
      for (let f = 0; f < n; f++) {
        const text = record[featureIndex[f]!]!;
        const value = DECIMAL.test(text) ? Number(text) : NaN;
        if (!Number.isFinite(value)) throw new Error(`CSV: line ${row + 2}, column "${columns[featureIndex[f]!]}": ${text === '' ? 'empty value' : `"${text}" is not a number`}`);
        data![filled * n + f] = value;
      }
      if (labels !== null) {
        const label = record[labelIndex]!;
        if (label === '') throw new Error(`CSV: line ${row + 2}: the label column "${columns[labelIndex]}" is empty`);
        labels[filled] = label;
      }
      filled++;
      row++;
      if (filled === rowsPerChunk) yield flush();
    }
  } catch (e) {
    if ((e as Error).message.startsWith('CSV: ')) throw e;
    throw new Error(`CSV: ${(e as Error).message}`);
  }
  if (columns === null) throw new Error('CSV: the file is empty');
  if (row === 0) throw new Error('CSV: the file has a header but no data rows');
  if (filled > 0) yield flush();
}
