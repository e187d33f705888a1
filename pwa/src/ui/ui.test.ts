// @vitest-environment jsdom
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { setLang, t } from '../i18n';
import { online } from '../net';
import { BulkApprove, type BulkLine } from './BulkApprove';
import { useOnlineList } from './onlineList';

let root: HTMLElement;

beforeEach(() => {
  setLang('zh');
  online.set(true);
  root = document.createElement('div');
  document.body.appendChild(root);
});

afterEach(() => {
  act(() => render(null, root));
  root.remove();
  online.set(true);
});

const byId = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const all = (id: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const click = async (id: string) => {
  const el = byId(id);
  if (!el) throw new Error(`no ${id}`);
  await act(async () => el.click());
};
/** Let pending promises settle inside act(). */
const settle = () => act(async () => {
  await new Promise((r) => setTimeout(r, 0));
});

const TEXTS = { button: 'claimq.bulk', ask: 'claimq.bulkAsk', yes: 'claimq.bulkYes', note: 'claimq.bulkNote' } as const;
const IDS = { button: 'bulk', yes: 'bulk-yes', results: 'bulk-results', result: 'bulk-result' };

function mount(props: Partial<Parameters<typeof BulkApprove>[0]> & Pick<Parameters<typeof BulkApprove>[0], 'run'>) {
  const onDone = vi.fn();
  const onStart = vi.fn();
  const draw = (count: number) => act(() => render(h(BulkApprove, { count, texts: TEXTS, testIds: IDS, onDone, onStart, ...props }), root));
  return { onDone, onStart, draw };
}

describe('BulkApprove', () => {
  it('asks first, then shows one line per item, approved or refused with the reason', async () => {
    const run = vi.fn(async (): Promise<BulkLine[]> => [
      { id: 'a', ok: true, label: '张三 · 差旅 · ¥60.00' },
      { id: 'b', ok: false, label: '李四 · 差旅 · ¥80.00', why: '已被他人处理' },
    ]);
    const { onDone, onStart, draw } = mount({ run });
    draw(2);
    expect(byId('bulk')!.textContent).toBe('批量通过无核查提示的 2 件');
    await click('bulk');
    expect(run).not.toHaveBeenCalled();
    expect(root.textContent).toContain('通过这 2 件没有核查提示的报销？');
    await click('bulk-yes');
    await settle();
    expect(onStart).toHaveBeenCalledOnce();
    expect(run).toHaveBeenCalledOnce();
    expect(onDone).toHaveBeenCalledOnce();
    const lines = all('bulk-result');
    expect(lines.map((l) => [l.dataset.id, l.dataset.ok])).toEqual([
      ['a', 'true'],
      ['b', 'false'],
    ]);
    expect(lines[0].textContent).toBe('✓ 张三 · 差旅 · ¥60.00');
    expect(lines[1].textContent).toBe('✗ 李四 · 差旅 · ¥80.00 — 已被他人处理');
  });

  it('cancel sends nothing', async () => {
    const run = vi.fn(async (): Promise<BulkLine[]> => []);
    const { onDone, draw } = mount({ run });
    draw(1);
    await click('bulk');
    const cancel = [...root.querySelectorAll('button')].find((b) => b.textContent === '取消')!;
    await act(async () => cancel.click());
    expect(byId('bulk')).not.toBeNull();
    expect(run).not.toHaveBeenCalled();
    expect(onDone).not.toHaveBeenCalled();
  });

  it('shows lines as they come while running, with the button busy', async () => {
    let finish!: (lines: BulkLine[]) => void;
    const first: BulkLine = { id: 'a', ok: true, label: 'A' };
    const run = vi.fn((progress: (l: BulkLine[]) => void) => {
      progress([first]);
      return new Promise<BulkLine[]>((r) => (finish = r));
    });
    const { onDone, draw } = mount({ run });
    draw(2);
    await click('bulk');
    await click('bulk-yes');
    expect(all('bulk-result')).toHaveLength(1);
    expect(byId('bulk')!.textContent).toBe('正在逐份确认…');
    expect((byId('bulk') as HTMLButtonElement).disabled).toBe(true);
    expect(onDone).not.toHaveBeenCalled();
    await act(async () => finish([first, { id: 'b', ok: true, label: 'B' }]));
    await settle();
    expect(all('bulk-result')).toHaveLength(2);
    expect(onDone).toHaveBeenCalledOnce();
  });

  it('keeps the answer when nothing is left to approve, and hides the button', async () => {
    const { draw } = mount({ run: async () => [{ id: 'a', ok: true, label: 'A' }] });
    draw(1);
    await click('bulk');
    await click('bulk-yes');
    await settle();
    draw(0);
    expect(byId('bulk')).toBeNull();
    expect(all('bulk-result')).toHaveLength(1);
  });

  it('a failed call is shown in the reader language, and the queue reloads', async () => {
    const { onDone, draw } = mount({
      run: async () => {
        throw new ApiError({ status: 0, title: 'offline' });
      },
    });
    draw(1);
    await click('bulk');
    await click('bulk-yes');
    await settle();
    expect(root.querySelector('[role="alert"]')!.textContent).toBe(t('error.network'));
    expect(byId('bulk-results')).toBeNull();
    expect(onDone).toHaveBeenCalledOnce();
  });

  it('is disabled offline', () => {
    online.set(false);
    const { draw } = mount({ run: async () => [] });
    draw(3);
    expect((byId('bulk') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('useOnlineList', () => {
  function List({ load }: { load: () => Promise<string[]> }) {
    const { rows, error, reload } = useOnlineList(load, []);
    return h(
      'div',
      null,
      h('p', { 'data-testid': 'rows' }, rows === null ? 'none' : rows.join(',')),
      error && h('p', { 'data-testid': 'error' }, error),
      h('button', { 'data-testid': 'reload', onClick: reload }, 'reload'),
    );
  }

  it('loads only when online, again when back online and on reload', async () => {
    online.set(false);
    let n = 0;
    const load = vi.fn(async () => [`v${++n}`]);
    act(() => render(h(List, { load }), root));
    await settle();
    expect(load).not.toHaveBeenCalled();
    expect(byId('rows')!.textContent).toBe('none');
    await act(async () => online.set(true));
    // The list re-renders on the online store only through its screen; render again as a screen does.
    act(() => render(h(List, { load }), root));
    await settle();
    expect(byId('rows')!.textContent).toBe('v1');
    await click('reload');
    await settle();
    expect(byId('rows')!.textContent).toBe('v2');
  });

  it('a failed load says why in the reader language', async () => {
    const load = async (): Promise<string[]> => {
      throw new ApiError({ status: 403, title: 'Forbidden', detail: '无权查看' });
    };
    act(() => render(h(List, { load }), root));
    await settle();
    expect(byId('error')!.textContent).toBe('无权查看');
    expect(byId('rows')!.textContent).toBe('none');
  });
});
