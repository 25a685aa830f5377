/** Characters the API server uses for `generateName` suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const HEX_DIGITS = '0123456789abcdef';

/** A seeded pseudo-random source (mulberry32), so names and uids repeat from run to run. */
export class DeterministicRandom {
  private state: number;

  constructor(seed: string) {
    let hash = 2166136261;
    for (const character of seed) hash = Math.imul(hash ^ character.charCodeAt(0), 16777619);
    this.state = hash >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  }

  /** Five characters such as `x7kq2`, as in `web-6d4f9c-x7kq2`. */
  nameSuffix(): string {
    let suffix = '';
    for (let index = 0; index < 5; index += 1) suffix += SUFFIX_ALPHABET[Math.floor(this.next() * SUFFIX_ALPHABET.length)];
    return suffix;
  }

  /** `length` hexadecimal digits. */
  hex(length: number): string {
    let digits = '';
    for (let index = 0; index < length; index += 1) digits += HEX_DIGITS[Math.floor(this.next() * 16)];
    return digits;
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    const digits = this.hex(32);
    const variant = HEX_DIGITS[Math.floor(this.next() * 4) + 8];
    return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-4${digits.slice(13, 16)}-${variant}${digits.slice(17, 20)}-${digits.slice(20)}`;
  }
}
