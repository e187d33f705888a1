import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, problemFrom } from '../api';
import { setLang } from '../i18n';
import {
  choosableVillages,
  constraintSummary,
  draftProblems,
  exportName,
  exportPath,
  xlsformBody,
  freshnessText,
  labelOf,
  monthPeriod,
  groupOverlaps,
  sortVillages,
  percent,
  problemRows,
  warningRows,
  rangeText,
  relevanceSummary,
  type Overlap,
  type Question,
  type Survey,
  type Village,
} from './admin';

const L = (zh: string, en: string) => ({ zh, en });
const QUESTIONS: Question[] = [
  { name: 'members', type: 'integer', label: L('家庭人口', 'Members'), required: true, constraint: { min: 1, max: 20 } },
  { name: 'has_car', type: 'yes_no', label: L('有车', 'Has a car') },
  {
    name: 'crops',
    type: 'select_multiple',
    label: L('作物', 'Crops'),
    choices: [
      { name: 'maize', label: L('玉米', 'Maize') },
      { name: 'rice', label: L('水稻', 'Rice') },
    ],
  },
];

afterEach(() => setLang('zh'));

describe('survey admin helpers', () => {
  it('summarise constraints in the UI language', () => {
    expect(constraintSummary(null)).toBe('');
    expect(constraintSummary({ min: 1, max: 20 })).toBe('1 – 20');
    expect(constraintSummary({ min: '2024-01-01' })).toBe('≥ 2024-01-01');
    expect(constraintSummary({ max_length: 50 })).toBe('长度 ≤ 50');
    expect(constraintSummary({ min_count: 1, max_count: 1, min: null })).toBe('选 1 项');
    setLang('en');
    expect(constraintSummary({ min_length: 2, max_length: 10 })).toBe('length 2 – 10');
    expect(rangeText(undefined, 0)).toBe('≤ 0');
  });

  it('summarise relevance with choice labels, 或 between groups and 且 within', () => {
    expect(relevanceSummary(null, QUESTIONS, 'zh')).toBe('');
    expect(relevanceSummary([[{ q: 'members', op: '>=', value: 3 }]], QUESTIONS, 'zh')).toBe('members ≥ 3');
    expect(
      relevanceSummary(
        [
          [
            { q: 'members', op: '>', value: 2 },
            { q: 'has_car', op: '=', value: true },
          ],
          [{ q: 'crops', op: 'selected', value: 'rice' }],
        ],
        QUESTIONS,
        'zh',
      ),
    ).toBe('(members > 2 且 has_car = 是) 或 (crops 选了 “水稻”)');
    setLang('en');
    expect(relevanceSummary([[{ q: 'crops', op: 'not_selected', value: 'maize' }]], QUESTIONS, 'en')).toBe('crops excludes “Maize”');
  });

  it('pick labels with a fallback', () => {
    expect(labelOf(L('是', 'Yes'), 'en')).toBe('Yes');
    expect(labelOf({ zh: '是', en: '' }, 'en')).toBe('是');
    expect(labelOf(null, 'zh')).toBe('');
  });

  it('say how fresh known facts are', () => {
    expect(freshnessText(null, null)).toBe('—');
    expect(freshnessText('2024-03-01', '2024-03-01')).toBe('2024-03-01');
    expect(freshnessText('2024-03-01T02:00:00Z', '2024-06-30T17:00:00Z')).toBe('2024-03-01 – 2024-07-01');
    expect(freshnessText(null, '2024-06-30')).toBe('2024-06-30');
  });

  it('compute whole percents, never above 100', () => {
    expect(percent(2, 8)).toBe(25);
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(0);
    expect(percent(9, 8)).toBe(100);
  });

  it('turn an XLSForm 422 into sheet/row/column/reason rows', async () => {
    const res = new Response(
      JSON.stringify({
        status: 422,
        title: '表单有误',
        code: 'xlsform_invalid',
        errors: [
          { field: 'type', code: 'xlsform_type', message: '不支持的题型：note', row: 4, sheet: 'survey' },
          { field: 'file', code: 'xlsform_not_xlsx', message: '不是 .xlsx 文件', sheet: '' },
        ],
      }),
      { status: 422, headers: { 'Content-Type': 'application/problem+json' } },
    );
    const err = await problemFrom(res);
    expect(problemRows(err)).toEqual([
      { sheet: 'survey', row: '4', column: 'type', reason: '不支持的题型：note' },
      { sheet: '', row: '', column: 'file', reason: '不是 .xlsx 文件' },
    ]);
    expect(problemRows(new Error('x'))).toEqual([]);
    expect(problemRows(new ApiError({ status: 0, title: 'network' }))).toEqual([]);
  });

  it('lays out the warnings of an upload the same way, none when there are none', () => {
    const survey = {
      warnings: [
        { field: 'appearance', message: '外观 w4 手机上不显示，已忽略', row: 5, sheet: 'survey' },
        { field: 'type', message: '元数据 audit 网页应用无法读取，已略去', row: null as unknown as number, sheet: 'survey' },
      ],
    } as unknown as Survey;
    expect(warningRows(survey)).toEqual([
      { sheet: 'survey', row: '5', column: 'appearance', reason: '外观 w4 手机上不显示，已忽略' },
      { sheet: 'survey', row: '', column: 'type', reason: '元数据 audit 网页应用无法读取，已略去' },
    ]);
    expect(warningRows({} as Survey)).toEqual([]);
  });

  it('sort villages by code, never by completion', () => {
    const rows = [
      { village_code: '530102003001', village_name: '乙村', done: 5, targeted: 5 },
      { village_code: '530102001001', village_name: '甲村', done: 2, targeted: 8 },
    ];
    expect(sortVillages(rows).map((v) => v.village_code)).toEqual(['530102001001', '530102003001']);
  });

  it('group overlaps per survey, villages and shared facts once each', () => {
    const o = (survey_id: string, village_name: string, days_apart: number, shared_facts: string[], period_start = '2024-06-01'): Overlap => ({
      survey_id,
      title: survey_id,
      state: 'published',
      village_code: village_name,
      village_name,
      period_start,
      period_end: '2024-06-30',
      days_apart,
      shared_facts,
    });
    const g = groupOverlaps([o('b', '甲村', 10, ['members']), o('a', '甲村', 0, [], '2024-05-01'), o('b', '乙村', 3, ['members', 'phone'])]);
    expect(g.map((x) => x.survey_id)).toEqual(['a', 'b']);
    expect(g[1]).toMatchObject({ villages: ['甲村', '乙村'], shared_facts: ['members', 'phone'], days_apart: 3 });
  });

  it('offer the villages of administered counties and reviewed townships, by code', () => {
    const v = (code: string, level = 'village'): Village => ({ code, name: code, level, parent_code: code.slice(0, 9), county_code: code.slice(0, 6) });
    const all = [v('530102002001'), v('530102001001'), v('530103001001'), v('530102001', 'township')];
    expect(choosableVillages(all, { scope: { admin_counties: ['530102'], finance_counties: [], own_villages: [], review_townships: [] } }).map((x) => x.code)).toEqual([
      '530102001001',
      '530102002001',
    ]);
    expect(choosableVillages(all, { scope: { admin_counties: [], finance_counties: [], own_villages: [], review_townships: ['530103001'] } }).map((x) => x.code)).toEqual(['530103001001']);
    // A cadre's own village is visible in geo but not theirs to survey.
    expect(choosableVillages(all, { scope: null })).toEqual([]);
  });

  it('default periods: this month, or this month and the next', () => {
    expect(monthPeriod('2024-02-14')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(monthPeriod('2024-12-31', 2)).toEqual({ start: '2024-12-01', end: '2025-01-31' });
  });

  it('check a draft before sending it', () => {
    const ok = { title: '人口', description: '', target: 'households' as const, village_codes: ['530102001001'], period_start: '2024-06-01', period_end: '2024-06-30' };
    expect(draftProblems(ok)).toEqual([]);
    expect(draftProblems({ ...ok, title: ' ', village_codes: [], period_end: '2024-05-01' })).toEqual([
      'surveyAdmin.needTitle',
      'surveyAdmin.needPeriod',
      'surveyAdmin.needVillages',
    ]);
  });

  it('name exports after the survey', () => {
    expect(exportName('2024 人口/住房 调查', 'xlsx')).toBe('2024_人口_住房_调查.xlsx');
    expect(exportName('///', 'csv')).toBe('survey.csv');
    expect(exportName('普查', 'zip')).toBe('普查.zip');
    expect(exportPath('s1', 'zip')).toBe('/surveys/s1/responses.zip');
  });
});

describe('an XLSForm upload with its attachments', () => {
  it('is the raw workbook alone, a multipart form with its CSVs', async () => {
    const book = new Blob(['xlsx'], { type: 'application/octet-stream' });
    expect(xlsformBody(book).body).toBe(book);
    const csv = new File(['name,label\nv1,一村\n'], 'villages.csv', { type: 'text/csv' });
    const { body, headers } = xlsformBody(book, [csv]);
    expect(headers).toEqual({});
    const form = body as FormData;
    expect((form.get('form') as File).name).toBe('form.xlsx');
    expect((form.getAll('files') as File[]).map((f) => f.name)).toEqual(['villages.csv']);
  });
});
