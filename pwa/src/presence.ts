import { workLogs, type LogKind } from './logs';

/**
 * 驻村天数 for one month. For now drafted on the phone from the cadre's own work logs; when
 * the presence API exists, `loadMonth` fetches the server's draft and confirmed days instead
 * and the Month view stays as it is.
 */
export interface PresenceDay {
  date: string;
  /** 'draft' until the cadre submits the month and the township confirms it. */
  state: 'draft';
  logs: number;
  kinds: LogKind[];
}

export async function loadMonth(userId: string, ym: string): Promise<Map<string, PresenceDay>> {
  const days = new Map<string, PresenceDay>();
  for (const log of await workLogs(userId, (d) => d.date?.startsWith(ym))) {
    const day = days.get(log.data.date) ?? { date: log.data.date, state: 'draft', logs: 0, kinds: [] };
    day.logs++;
    if (!day.kinds.includes(log.data.kind)) day.kinds.push(log.data.kind);
    days.set(log.data.date, day);
  }
  return days;
}
