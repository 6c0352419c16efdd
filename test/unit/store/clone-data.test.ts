// The copy a store change works on (core/store/clone-data.ts): deep, equal to the original, and
// sharing nothing with it, so that the snapshot readers hold never changes under them.
import { describe, expect, it } from 'vitest';
import { cloneData } from '../../../src-main/core/store/clone-data.js';

describe('cloneData', () => {
  it('copies JSON data deeply: equal, and a change to the copy leaves the original as it was', () => {
    const original = JSON.parse(
      '{"identities":[{"id":"id_1","tags":["a","b"],"generations":[{"generation":1,"state":"current"}],"rotateEveryDays":null,"note":"Zähler"}],' +
        '"devices":[],"auditHead":{"seq":3,"hash":"ab"},"flag":false,"n":0,"x":-1.5}',
    );
    const before = JSON.stringify(original);
    const copy = cloneData(original);
    expect(copy).toEqual(original);
    copy.identities[0].tags.push('c');
    copy.identities[0].generations[0].state = 'retired';
    copy.auditHead.seq = 4;
    copy.devices.push({ id: 'dev_1' });
    expect(JSON.stringify(original)).toBe(before);
    expect(copy.identities[0]).not.toBe(original.identities[0]);
    expect(Array.isArray(copy.devices)).toBe(true);
  });

  it('keeps a "__proto__" key as data, never as the copy\'s prototype', () => {
    const original = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}');
    const copy = cloneData(original);
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
    expect((copy.a as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(copy.a)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('returns values that are not objects as they are', () => {
    expect(cloneData(null)).toBeNull();
    expect(cloneData('text')).toBe('text');
    expect(cloneData(7)).toBe(7);
    expect(cloneData([1, [2, [3]]])).toEqual([1, [2, [3]]]);
  });
});
