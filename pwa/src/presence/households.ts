import { ApiError, api, type Schema } from '../api';
import { getMeta, setMeta } from '../db';

/** 农户: a household of the village, named by its head. */
export type Household = Schema<'HouseholdOut'>;

/** The cached list, for offline use. */
export async function cachedHouseholds(userId: string, village: string): Promise<Household[]> {
  return (await getMeta<Household[]>(userId, `households:${village}`)) ?? [];
}

/**
 * Fetch the village's households and cache them. Offline keeps the cache; a 404 (the
 * endpoint or the list does not exist yet) means no list.
 */
export async function loadHouseholds(userId: string, village: string): Promise<Household[]> {
  try {
    const list = await api<Household[]>(`/fieldwork/villages/${encodeURIComponent(village)}/households`, {
      user: userId,
    });
    const clean = Array.isArray(list) ? list : [];
    await setMeta(userId, `households:${village}`, clean);
    return clean;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      await setMeta(userId, `households:${village}`, []);
      return [];
    }
    return cachedHouseholds(userId, village);
  }
}
