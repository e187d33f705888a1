import { describe, expect, it } from 'vitest';
import { detailLines, eventsQuery } from '../audit/auditLog';
import { dayBefore, pageCount, passwordsCsv, peopleSearch, problemsByRow, type ImportRow } from './roster';

describe('roster helpers', () => {
  it('leaves empty filters out of the search and pages by 20', () => {
    expect(peopleSearch({ township: '529901001', village: ' ', q: ' 张 ', page: 2 })).toBe(
      'township=529901001&q=%E5%BC%A0&page=2&page_size=20',
    );
    expect(peopleSearch({})).toBe('page=1&page_size=20');
  });

  it('counts pages, at least one', () => {
    expect(pageCount({ total: 0, page_size: 20 })).toBe(1);
    expect(pageCount({ total: 41, page_size: 20 })).toBe(3);
  });

  it('groups import problems by row, file problems first', () => {
    const grouped = problemsByRow([
      { field: 'phone', message: 'x', row: 4 },
      { field: 'file', message: 'y' },
      { field: 'name', message: 'z', row: 4 },
      { field: 'phone', message: 'w', row: 3 },
    ]);
    expect(grouped.map((g) => [g.row, g.errors.length])).toEqual([
      [0, 1],
      [3, 1],
      [4, 2],
    ]);
  });

  it('writes the handed-over accounts as CSV with a BOM, quoting where needed', () => {
    const row = { name: '张,三', phone: '13300000000', village_name: '红岩村', temporary_password: 'abc"d' } as ImportRow;
    expect(passwordsCsv([row], ['姓名', '手机号', '村', '临时密码'])).toBe(
      '\ufeff姓名,手机号,村,临时密码\r\n"张,三",13300000000,红岩村,"abc""d"\r\n',
    );
  });

  it('knows the day before, across months and years', () => {
    expect(dayBefore('2026-03-01')).toBe('2026-02-28');
    expect(dayBefore('2026-01-01')).toBe('2025-12-31');
  });
});

describe('audit helpers', () => {
  it('asks for an action prefix, a page and the next page', () => {
    expect(eventsQuery({ action: 'accounts', since: '2026-12-01' }, 99)).toBe(
      'since=2026-12-01&action=accounts.&before_id=99&limit=50',
    );
  });

  it('shows before and after as key: value lines', () => {
    expect(detailLines('{"active":false,"sessions_ended":2}')).toEqual(['active: false', 'sessions_ended: 2']);
    expect(detailLines('null')).toEqual([]);
    expect(detailLines('not json')).toEqual(['not json']);
  });
});
