import { describe, expect, it } from 'vitest';
import { cdnowTransactions, loadCdnowFile, parseCdnow } from '../../server/metrics/cdnow.js';

// The shared data folder is a sibling of the repository root.
const CDNOW = new URL('../../../shared/data/cdnow/', import.meta.url);

describe('CDNOW parser', () => {
  it('reads the 1/10 sample: 6,919 rows, 2,357 customers, $244,091.94', () => {
    const rows = loadCdnowFile(new URL('CDNOW_sample.txt', CDNOW));
    expect(rows).toHaveLength(6919);
    expect(new Set(rows.map((r) => r.sampleId)).size).toBe(2357);
    expect(rows[0]).toEqual({ masterId: 4, sampleId: 1, date: '1997-01-01', cds: 2, dollars: 29.33 });
    const cents = rows.reduce((sum, r) => sum + Math.round(r.dollars * 100), 0);
    expect(cents).toBe(24_409_194);
    const dates = rows.map((r) => r.date).sort();
    expect([dates[0], dates[dates.length - 1]]).toEqual(['1997-01-01', '1998-06-30']);
  });

  it('reads the master file: skips the header, 69,659 rows from 23,570 customers', () => {
    const rows = loadCdnowFile(new URL('CDNOW_master.txt', CDNOW));
    expect(rows).toHaveLength(69_659);
    expect(new Set(rows.map((r) => r.masterId)).size).toBe(23_570);
    expect(rows.every((r) => r.sampleId === null)).toBe(true);
    expect(rows.filter((r) => r.dollars === 0)).toHaveLength(80);
  });

  it('accepts CRLF and LF line ends and a missing final line break', () => {
    const crlf = ' 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n';
    const lf = ' 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73';
    expect(parseCdnow(crlf)).toEqual(parseCdnow(lf));
    expect(parseCdnow(lf)).toHaveLength(2);
  });

  it('rejects malformed lines with the line number', () => {
    expect(() => parseCdnow(' 00001 19970101  1   11.77\n 00002 1997-01-12 1 12.00\n')).toThrow(/line 2/);
    expect(() => parseCdnow(' 00001 19970101\n')).toThrow(/columns/);
  });

  it('turns rows into transactions keyed by sample id, or by master id on request', () => {
    const rows = parseCdnow(' 00004 0001 19970101  2   29.33\r\n');
    expect(cdnowTransactions(rows)).toEqual([{ customerId: '1', date: '1997-01-01', amount: 29.33 }]);
    expect(cdnowTransactions(rows, 'master')[0]!.customerId).toBe('4');
  });
});
