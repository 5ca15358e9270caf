/**
 * Parser for the CDNOW reference files (data/cdnow/README.md):
 *  - CDNOW_master.txt: header line, then `customer_id date number_of_cds dollar_value`;
 *  - CDNOW_sample.txt: no header, `master_id sample_id date number_of_cds dollar_value`.
 * Whitespace-separated, CRLF line ends, dates as YYYYMMDD integers.
 */
import { readFileSync } from 'node:fs';
import type { Transaction } from './summary.js';

export interface CdnowRow {
  /** Customer id in the master file, as a number (the file zero-pads it). */
  masterId: number;
  /** Customer id in the 1/10 sample (1..2357); null for master-file rows. */
  sampleId: number | null;
  /** ISO `YYYY-MM-DD`. */
  date: string;
  cds: number;
  /** US dollars. */
  dollars: number;
}

/** Parse the text of either file; the format is recognised from the column count. */
export function parseCdnow(text: string): CdnowRow[] {
  const rows: CdnowRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let lineNumber = 0; lineNumber < lines.length; lineNumber++) {
    const fields = lines[lineNumber].trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue; // blank (trailing) line
    if (fields[0] === 'customer_id') continue; // master header
    const fail = (why: string): never => {
      throw new SyntaxError(`CDNOW line ${lineNumber + 1}: ${why}: ${JSON.stringify(lines[lineNumber])}`);
    };
    let masterId: string, sampleId: string | null, date: string, cds: string, dollars: string;
    if (fields.length === 5) [masterId, sampleId, date, cds, dollars] = fields as [string, string, string, string, string];
    else if (fields.length === 4) {
      [masterId, date, cds, dollars] = fields as [string, string, string, string];
      sampleId = null;
    } else return fail(`expected 4 or 5 columns, got ${fields.length}`);
    if (!/^\d{8}$/.test(date)) fail('date is not YYYYMMDD');
    const row: CdnowRow = {
      masterId: Number(masterId),
      sampleId: sampleId === null ? null : Number(sampleId),
      date: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
      cds: Number(cds),
      dollars: Number(dollars),
    };
    if (![row.masterId, row.sampleId ?? 0, row.cds, row.dollars].every(Number.isFinite)) fail('not a number');
    rows.push(row);
  }
  return rows;
}

/** Read and parse a CDNOW file from a path or file: URL. */
export function loadCdnowFile(path: string | URL): CdnowRow[] {
  return parseCdnow(readFileSync(path, 'utf8'));
}

/**
 * Rows as transactions. The customer id is the sample id (e.g. "1") when the rows have one and
 * `id` is 'sample' (the default), otherwise the master id (e.g. "4").
 */
export function cdnowTransactions(rows: readonly CdnowRow[], id: 'sample' | 'master' = 'sample'): Transaction[] {
  return rows.map((row) => ({
    customerId: String(id === 'sample' && row.sampleId !== null ? row.sampleId : row.masterId),
    date: row.date,
    amount: row.dollars,
  }));
}
