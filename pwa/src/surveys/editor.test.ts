// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import {
  addToGroup,
  autoNames,
  buildForm,
  changeType,
  choicesText,
  errorsByQuestion,
  fromForm,
  newGroup,
  move,
  newQuestion,
  opsFor,
  parseChoices,
  setGroupExpr,
  type EditorQuestion,
} from './editor';
import { checkAnswers as check, type Form, type Question } from './rules';

const L = (zh: string, en = zh) => ({ zh, en });
const row = (patch: Partial<EditorQuestion>): EditorQuestion => ({ ...newQuestion(), ...patch });
const HH = { households: true };

describe('choice lines', () => {
  it('read 中文, 代码=中文, 中文=English and 代码=中文=English, numbering the rest c1, c2…', () => {
    expect(parseChoices('砖混\n\n  木结构 \n')).toEqual({
      choices: [
        { name: 'c1', label: L('砖混') },
        { name: 'c2', label: L('木结构') },
      ],
      bad: [],
    });
    expect(parseChoices('brick=砖混=Brick\nwood＝木结构\n其他=Other').choices).toEqual([
      { name: 'brick', label: L('砖混', 'Brick') },
      { name: 'wood', label: L('木结构') },
      { name: 'c3', label: L('其他', 'Other') },
    ]);
  });

  it('never give an automatic code that a line names itself', () => {
    expect(parseChoices('甲\nc1=乙=B').choices.map((c) => c.name)).toEqual(['c2', 'c1']);
  });

  it('report lines with a bad or repeated code, or no label', () => {
    expect(parseChoices('a b=甲=A\nx=乙=B\nx=丙=C\ny==').bad).toEqual([1, 3, 4]);
  });

  it('write choices back as short lines when they read the same, else in full', () => {
    const plain = [
      { name: 'c1', label: L('是') },
      { name: 'c2', label: L('否') },
    ];
    expect(choicesText(plain)).toBe('是\n否');
    const coded = [
      { name: 'brick', label: L('砖混', 'Brick') },
      { name: 'c2', label: L('木结构') },
    ];
    expect(choicesText(coded)).toBe('brick=砖混=Brick\n木结构');
    expect(parseChoices(choicesText(coded)).choices).toEqual(coded);
    const renamed = [{ name: 'wood', label: L('木结构') }];
    expect(choicesText(renamed)).toBe('wood=木结构=木结构');
    expect(parseChoices(choicesText(renamed)).choices).toEqual(renamed);
  });
});

describe('question names', () => {
  it('number empty names from their position, avoiding names already used', () => {
    expect(autoNames(['', 'members', ' ', ''])).toEqual(['q1', 'members', 'q3', 'q4']);
    expect(autoNames(['q2', ''])).toEqual(['q2', 'q2_2']);
  });
});

describe('building the form', () => {
  it('builds the three-question form of the brief, with defaults filled in', () => {
    const a = row({ type: 'integer', labelZh: '家庭人口', required: true, min: '1', max: '20', fact: 'members' });
    const b = row({ type: 'select_one', labelZh: '住房', labelEn: 'Housing', choices: '砖混\n木结构' });
    const c = row({ type: 'text', labelZh: '说明', name: 'note', maxLength: '200', relKey: b.key, relOp: '=', relValue: 'c2' });
    const { form, problems } = buildForm([a, b, c], HH);
    expect(problems).toEqual([]);
    expect(form.questions).toEqual([
      {
        name: 'q1',
        type: 'integer',
        label: L('家庭人口'),
        hint: null,
        required: true,
        constraint: { min: 1, max: 20 },
        constraint_message: null,
        relevant: null,
        choices: null,
        fact: 'members',
      },
      {
        name: 'q2',
        type: 'select_one',
        label: L('住房', 'Housing'),
        hint: null,
        required: false,
        constraint: null,
        constraint_message: null,
        relevant: null,
        choices: [
          { name: 'c1', label: L('砖混') },
          { name: 'c2', label: L('木结构') },
        ],
        fact: null,
      },
      {
        name: 'note',
        type: 'text',
        label: L('说明'),
        hint: null,
        required: false,
        constraint: { max_length: 200 },
        constraint_message: null,
        relevant: [[{ q: 'q2', op: '=', value: 'c2' }]],
        choices: null,
        fact: null,
      },
    ]);
    // The form works with the answer rules the phone runs.
    expect(check(form, { q1: 3, q2: 'c1', note: 'x' }).map((e) => e.code)).toEqual(['not_relevant']);
    expect(check(form, { q1: 30, q2: 'c2' }).map((e) => e.code)).toEqual(['above_max']);
  });

  it('types condition values by the question they look at, and follows its renames', () => {
    const yes = row({ type: 'yes_no', labelZh: '有车' });
    const n = row({ type: 'decimal', labelZh: '亩数', name: 'mu' });
    const d = row({ type: 'date', labelZh: '日期', min: '2024-01-01', max: '2024-12-31' });
    const q1 = row({ labelZh: 'A', relKey: yes.key, relOp: '!=', relValue: 'false' });
    const q2 = row({ labelZh: 'B', relKey: n.key, relOp: '=', relValue: '2.5' });
    const q3 = row({ labelZh: 'C', relKey: d.key, relOp: '=', relValue: '2024-05-01' });
    const { form, problems } = buildForm([yes, n, d, q1, q2, q3], HH);
    expect(problems).toEqual([]);
    expect(form.questions[2].constraint).toEqual({ min: '2024-01-01', max: '2024-12-31' });
    expect(form.questions.slice(3).map((q) => q.relevant)).toEqual([
      [[{ q: 'q1', op: '!=', value: false }]],
      [[{ q: 'mu', op: '=', value: 2.5 }]],
      [[{ q: 'q3', op: '=', value: '2024-05-01' }]],
    ]);
  });

  it('finds what is plainly wrong, on the question it is about', () => {
    const later = row({ type: 'yes_no', labelZh: '后面' });
    const rows = [
      row({ labelZh: ' ', name: '1st' }),
      row({ type: 'select_one', labelZh: '空选项' }),
      row({ type: 'integer', labelZh: '范围', min: '5', max: '1', name: 'r' }),
      row({ type: 'text', labelZh: '重名', name: 'r', maxLength: '0', fact: 'Bad' }),
      row({ labelZh: '条件', relKey: later.key, relValue: 'true' }),
      later,
      row({ labelZh: '已删', relKey: 99_999, relValue: 'x' }),
      row({ type: 'select_multiple', labelZh: '多选', choices: '甲\n乙', maxCount: '3' }),
      row({ labelZh: '选项值', relKey: -1 }),
    ];
    rows[8].relKey = rows[7].key;
    rows[8].relOp = 'selected';
    rows[8].relValue = 'c9';
    const { problems } = buildForm(rows, HH);
    expect(problems.map((p) => [p.index, p.field, p.key])).toEqual([
      [0, 'label', 'surveyEditor.err.labelRequired'],
      [0, 'name', 'surveyEditor.err.name'],
      [1, 'choices', 'surveyEditor.err.choicesRequired'],
      [2, 'constraint', 'surveyEditor.err.range'],
      [3, 'name', 'surveyEditor.err.nameDuplicate'],
      [3, 'constraint', 'surveyEditor.err.maxLength'],
      [3, 'fact', 'surveyEditor.err.fact'],
      [4, 'relevant', 'surveyEditor.err.relevantOrder'],
      [6, 'relevant', 'surveyEditor.err.relevantGone'],
      [8, 'relevant', 'surveyEditor.err.relevantValue'],
    ]);
  });

  it('leaves facts out of a survey of villages', () => {
    const { form } = buildForm([row({ labelZh: '电话', fact: 'phone' })], { households: false });
    expect(form.questions[0].fact).toBeNull();
    const roster = { name: 'members', repeat: true, fact: 'household_members' };
    expect(buildForm([row({ labelZh: '姓名', group: 'members' })], { households: false, groups: [roster] }).form.groups?.[0].fact).toBeNull();
  });

  it('keeps a roster as a household fact, its code checked', () => {
    const rows = [row({ labelZh: '姓名', group: 'members', fact: 'name' })];
    const ok = buildForm(rows, { households: true, groups: [{ name: 'members', repeat: true, fact: 'household_members' }] });
    expect(ok.form.groups?.[0].fact).toBe('household_members');
    expect(ok.problems).toEqual([]);
    const bad = buildForm(rows, { households: true, groups: [{ name: 'members', repeat: true, fact: 'Members!' }] });
    expect(bad.problems).toEqual([{ index: -1, field: 'group', key: 'surveyEditor.err.groupFact', params: { name: 'members' } }]);
  });
});

describe('loading a form', () => {
  const FORM: Form = {
    questions: [
      {
        name: 'members',
        type: 'integer',
        label: L('家庭人口', 'Members'),
        hint: L('常住', 'Resident'),
        required: true,
        constraint: { min: 1, max: 20 },
        constraint_message: L('1 到 20 人', '1 to 20'),
        fact: 'members',
      },
      { name: 'car', type: 'yes_no', label: L('有车') },
      {
        name: 'crops',
        type: 'select_multiple',
        label: L('作物', 'Crops'),
        constraint: { min_count: 1, max_count: 2 },
        choices: [
          { name: 'maize', label: L('玉米', 'Maize') },
          { name: 'rice', label: L('水稻', 'Rice') },
        ],
        relevant: [[{ q: 'car', op: '=', value: true }]],
      },
      {
        name: 'note',
        type: 'text',
        label: L('说明'),
        relevant: [[{ q: 'members', op: '>', value: 2 }], [{ q: 'crops', op: 'selected', value: 'rice' }]],
      },
    ],
  };

  it('reads a working form into editor rows and writes it back unchanged', () => {
    const rows = fromForm(FORM);
    expect(rows.map((r) => [r.name, r.labelEn, r.min, r.max, r.maxCount, r.choices])).toEqual([
      ['members', 'Members', '1', '20', '', ''],
      ['car', '', '', '', '', ''],
      ['crops', 'Crops', '', '', '2', 'maize=玉米=Maize\nrice=水稻=Rice'],
      ['note', '', '', '', '', ''],
    ]);
    // A simple condition is editable; the XLSForm's richer one is kept as it came.
    expect([rows[2].relKey, rows[2].relOp, rows[2].relValue, rows[2].kept]).toEqual([rows[1].key, '=', 'true', null]);
    expect(rows[3].kept).toBe(FORM.questions[3].relevant);
    const { form, problems } = buildForm(rows, HH);
    expect(problems).toEqual([]);
    const full = (q: Question): Question => ({
      hint: null,
      required: false,
      constraint: null,
      constraint_message: null,
      relevant: null,
      choices: null,
      fact: null,
      ...q,
    });
    expect(form).toEqual({ questions: FORM.questions.map(full) });
  });

  it('drops a constraint message once its bounds change, keeps what the editor does not show', () => {
    const rows = fromForm(FORM);
    rows[0].max = '30';
    rows[2].maxCount = '';
    const { form } = buildForm(rows, HH);
    expect(form.questions[0]).toMatchObject({ constraint: { min: 1, max: 30 }, constraint_message: null, hint: L('常住', 'Resident') });
    expect(form.questions[2].constraint).toEqual({ min_count: 1 });
  });

  it('starts empty from an empty form', () => {
    expect(fromForm({ questions: [] })).toEqual([]);
    expect(fromForm(null)).toEqual([]);
  });
});

describe('editing', () => {
  it('clears bounds when the type changes to another kind of bound', () => {
    const q = row({ type: 'integer', min: '1', max: '9' });
    expect(changeType(q, 'decimal')).toMatchObject({ type: 'decimal', min: '1', max: '9' });
    expect(changeType(q, 'date')).toMatchObject({ type: 'date', min: '', max: '' });
  });

  it('moves a question up and down, never past either end', () => {
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    const same = ['a', 'b'];
    expect(move(same, 0, -1)).toBe(same);
    expect(move(same, 1, 1)).toBe(same);
  });

  it('offers the ops that fit the question a condition looks at', () => {
    expect(opsFor('select_one')).toEqual(['=', '!=', 'selected']);
    expect(opsFor('select_multiple')).toEqual(['selected']);
    expect(opsFor('yes_no')).toEqual(['=', '!=']);
    expect(opsFor('photo')).toEqual([]);
  });
});

describe('server errors', () => {
  it('go to the question they name; the rest stay general', () => {
    const { byIndex, other } = errorsByQuestion(
      [
        { field: 'form.questions.1.relevant', message: '条件指向后面的题目' },
        { field: 'form.questions.1.name', message: '重复' },
        { field: 'questions.0.label.zh', message: '必填' },
        { field: 'body.questions.2.choices.0.name', message: '格式不对' },
        { field: 'form.questions.7.name', message: '越界' },
        { field: 'form.questions', message: '至少一题' },
        { field: 'title', message: '标题' },
      ],
      3,
    );
    expect([...byIndex.entries()]).toEqual([
      [
        1,
        [
          { field: 'relevant', message: '条件指向后面的题目' },
          { field: 'name', message: '重复' },
        ],
      ],
      [0, [{ field: 'label', message: '必填' }]],
      [2, [{ field: 'choices', message: '格式不对' }]],
    ]);
    expect(other.map((e) => e.field)).toEqual(['form.questions.7.name', 'form.questions', 'title']);
  });
});

describe('groups and repeats in the editor', () => {
  const imported: Form = {
    questions: [
      { name: 'head', type: 'text', label: { zh: '户主', en: 'Head', ug: 'باش' } },
      { name: 'age', type: 'integer', label: { zh: '年龄', en: 'Age' }, group: 'members', xpath: { constraint: '. < 120' } },
      { name: 'n', type: 'calculate', label: { zh: 'n', en: 'n' }, xpath: { calculation: 'count(${members})' } },
    ],
    groups: [{ name: 'members', label: { zh: '家庭成员', en: 'Members' }, repeat: true }],
  };

  it('keeps what an XLSForm brought and moves questions between groups', () => {
    const rows = fromForm(imported);
    expect(rows.map((r) => r.group)).toEqual(['', 'members', '']);
    const groups = [...(imported.groups ?? []), newGroup(imported.groups ?? [], false)];
    rows[0] = { ...rows[0], group: groups[1].name };
    const { form, problems } = buildForm(rows, { households: true, groups });
    expect(problems).toEqual([]);
    expect(form.groups?.map((g) => [g.name, g.repeat])).toEqual([['members', true], ['group_2', false]]);
    expect(form.questions.map((q) => q.group ?? null)).toEqual(['group_2', 'members', null]);
    expect(form.questions[0].label).toEqual({ zh: '户主', en: 'Head', ug: 'باش' });
    expect(form.questions[1].xpath).toEqual({ constraint: '. < 120' });
    expect(form.questions[2].type).toBe('calculate');
  });

  it('names a bad group code and a question left in a removed group', () => {
    const rows = fromForm(imported);
    const { problems } = buildForm(rows, { households: true, groups: [{ name: '1bad', repeat: false }] });
    expect(problems.map((p) => p.key)).toEqual(['surveyEditor.err.groupName', 'surveyEditor.err.groupGone']);
  });
});

describe('expressions in the editor', () => {
  const imported: Form = {
    questions: [
      { name: 'members', type: 'integer', label: L('家庭人口'), required: true },
      {
        name: 'income',
        type: 'decimal',
        label: L('年收入'),
        xpath: { relevant: '${members} > 0', constraint: '. > 0 and . < 100', choice_filter: null },
        constraint_message: L('须在 0 到 100 之间', 'Between 0 and 100'),
        default: '10',
      },
      { name: 'per_head', type: 'calculate', label: L('人均'), xpath: { calculation: '${income} div ${members}' } },
    ],
    groups: [{ name: 'roster', label: L('成员'), repeat: true, xpath: { repeat_count: '${members}' } }],
  };

  it('loads expressions, default and message as text and writes them back unchanged', () => {
    const rows = fromForm(imported);
    expect(rows[1].expr).toEqual({ relevant: '${members} > 0', constraint: '. > 0 and . < 100', required: '', calculation: '' });
    expect([rows[1].defaultValue, rows[1].messageZh, rows[1].messageEn]).toEqual(['10', '须在 0 到 100 之间', 'Between 0 and 100']);
    expect(rows[2].expr.calculation).toBe('${income} div ${members}');
    const { form, problems } = buildForm(rows, { households: true, groups: imported.groups });
    expect(problems).toEqual([]);
    expect(form.questions[1]).toMatchObject({
      xpath: { relevant: '${members} > 0', constraint: '. > 0 and . < 100' },
      constraint_message: L('须在 0 到 100 之间', 'Between 0 and 100'),
      default: '10',
    });
    expect(form.questions[2].xpath).toEqual({ calculation: '${income} div ${members}' });
    expect(form.questions[0]).not.toHaveProperty('xpath');
    expect(form.questions[0]).not.toHaveProperty('default');
    expect(form.groups).toEqual(imported.groups);
  });

  it('writes what is typed, straightening quotes pasted from Word, and clears what is emptied', () => {
    const rows = fromForm(imported);
    rows[0] = { ...rows[0], expr: { ...rows[0].expr, required: "  ${members} != ‘0’ ", constraint: '. <= 30' }, messageZh: '最多 30 人' };
    rows[1] = { ...rows[1], expr: { ...rows[1].expr, relevant: '' }, defaultValue: ' ' };
    const { form, problems } = buildForm(rows, { households: true });
    expect(problems).toEqual([]);
    expect(form.questions[0].xpath).toEqual({ required: "${members} != '0'", constraint: '. <= 30' });
    expect(form.questions[0].constraint_message).toEqual(L('最多 30 人'));
    expect(form.questions[1].xpath).toEqual({ constraint: '. > 0 and . < 100' });
    expect(form.questions[1]).not.toHaveProperty('default');
  });

  it('drops a loaded message left as it was once its expression changed, keeps one retyped', () => {
    const rows = fromForm(imported);
    rows[1] = { ...rows[1], expr: { ...rows[1].expr, constraint: '. > 0' } };
    expect(buildForm(rows, HH).form.questions[1].constraint_message).toBeNull();
    rows[1] = { ...rows[1], messageZh: '须大于 0', messageEn: '' };
    expect(buildForm(rows, HH).form.questions[1].constraint_message).toEqual({ zh: '须大于 0', en: '须大于 0' });
  });

  it('asks a calculation for its formula and bounds an expression', () => {
    const rows = [row({ type: 'calculate', labelZh: '合计' }), row({ labelZh: '说明', expr: { relevant: 'x'.repeat(4001), constraint: '', required: '', calculation: '' } })];
    const { problems } = buildForm(rows, HH);
    expect(problems.map((p) => [p.index, p.field, p.key])).toEqual([
      [0, 'xpath', 'surveyEditor.err.calculationRequired'],
      [1, 'xpath', 'surveyEditor.err.exprTooLong'],
    ]);
  });

  it('an edited form still passes the answer rules with its expressions', () => {
    const rows = fromForm(imported);
    rows[1] = { ...rows[1], expr: { ...rows[1].expr, constraint: '. < 50' } };
    const { form } = buildForm(rows, { households: true, groups: imported.groups });
    expect(check(form, { members: 2, income: 60, roster: [{}, {}] }).map((e) => [e.question, e.code])).toEqual([['income', 'constraint']]);
    expect(check(form, { members: 2, income: 40, roster: [{}, {}] })).toEqual([]);
  });
});

describe('groups: questions inside them, their expressions', () => {
  it('adds a question after the last one of its group, or at the end', () => {
    const rows = [row({ group: 'g' }), row({}), row({ group: 'g' }), row({})];
    const out = addToGroup(rows, 'g');
    expect(out.map((r) => r.group)).toEqual(['g', '', 'g', 'g', '']);
    expect(out[3].key).not.toBe(rows[2].key);
    expect(addToGroup(rows, 'h').map((r) => r.group)).toEqual(['g', '', 'g', '', 'h']);
  });

  it('sets and clears a repeat count and a group relevance', () => {
    const g = { name: 'roster', repeat: true };
    const counted = setGroupExpr(g, 'repeat_count', '${members}');
    expect(counted).toEqual({ name: 'roster', repeat: true, xpath: { repeat_count: '${members}' } });
    const shown = setGroupExpr(counted, 'relevant', '${members} > “0”');
    expect(shown.xpath).toEqual({ repeat_count: '${members}', relevant: '${members} > "0"' });
    expect(setGroupExpr(setGroupExpr(shown, 'relevant', ''), 'repeat_count', '  ')).toEqual({ name: 'roster', repeat: true });
  });
});
