// Z85 as ZeroMQ RFC 32. Strict: an error names the position and the reason.
import { InvalidKeyError } from '../errors.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) {
    throw new InvalidKeyError(`Z85 input must be a multiple of 4 bytes, got ${data.length}`);
  }
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let value = ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0;
    const chunk = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = ALPHABET[value % 85]!;
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

/** Decodes `text`; into `into` when given (its length must be the decoded length), else a new array. */
export function z85Decode(text: string, into?: Uint8Array): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new InvalidKeyError(`Z85 text must be a multiple of 5 characters, got ${text.length}`);
  }
  const size = (text.length / 5) * 4;
  if (into && into.length !== size) throw new RangeError(`z85Decode: ${text.length} characters decode to ${size} bytes, not ${into.length}`);
  const out = into ?? new Uint8Array(size);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const digit = code < 128 ? DECODE[code]! : -1;
      if (digit < 0) {
        throw new InvalidKeyError(
          `invalid Z85 character ${JSON.stringify(text[i + j])} at position ${i + j + 1}`,
        );
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) {
      throw new InvalidKeyError(
        `Z85 group at positions ${i + 1}-${i + 5} encodes a value above 0xFFFFFFFF`,
      );
    }
    const at = (i / 5) * 4;
    out[at] = value >>> 24;
    out[at + 1] = (value >>> 16) & 0xff;
    out[at + 2] = (value >>> 8) & 0xff;
    out[at + 3] = value & 0xff;
  }
  return out;
}
