/**
 * UUID version 7 (RFC 9562): 48-bit Unix milliseconds, a 12-bit sequence, random bits.
 * Ids from one generator strictly increase, even within a millisecond or if the clock steps
 * back (RFC 9562 §6.2, method 3), so the outbox can send in creation order by sorting ids.
 */
export function createUuidv7(clock: () => number = Date.now): () => string {
  let lastMs = -1;
  let seq = 0;
  return () => {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    let ms = Math.floor(clock());
    if (ms > lastMs) {
      seq = ((b[6] & 0x07) << 8) | b[7]; // random start in the lower half leaves room to count
    } else {
      ms = lastMs;
      seq++;
      if (seq > 0xfff) {
        ms++;
        seq = 0;
      }
    }
    lastMs = ms;
    for (let i = 5; i >= 0; i--) {
      b[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    b[6] = 0x70 | (seq >> 8);
    b[7] = seq & 0xff;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}

export const uuidv7 = createUuidv7();

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
