import { describe, expect, it } from 'vitest';
import { UUID_V7, createUuidv7, uuidv7 } from '../src/uuid';

describe('uuidv7', () => {
  it('has the v7 layout: version 7, RFC variant, lowercase hex', () => {
    for (let i = 0; i < 200; i++) expect(uuidv7()).toMatch(UUID_V7);
  });

  it('carries the Unix milliseconds in its first 48 bits', () => {
    const at = Date.UTC(2026, 10, 24, 3, 0, 0, 123);
    const id = createUuidv7(() => at)();
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('strictly increases within one millisecond and when the clock steps back', () => {
    let now = 1_700_000_000_000;
    const next = createUuidv7(() => now);
    const ids = Array.from({ length: 10_000 }, (_, i) => {
      if (i === 5000) now -= 1000;
      return next();
    });
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it('sorts by time across milliseconds', () => {
    let now = 1_700_000_000_000;
    const next = createUuidv7(() => now);
    const a = next();
    now += 1;
    expect(next() > a).toBe(true);
  });
});
