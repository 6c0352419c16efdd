// Where the command line keeps compiled code between runs (src-main/cli/compile-cache.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCacheDir } from '../../../src-main/cli/compile-cache.js';

describe('the compile cache folder', () => {
  it('is the user cache folder of each platform', () => {
    expect(compileCacheDir({ HOME: '/home/ann' }, 'linux')).toBe(join('/home/ann', '.cache', 'curvekeep', 'compile-cache'));
    expect(compileCacheDir({ HOME: '/home/ann', XDG_CACHE_HOME: '/var/cache/ann' }, 'linux')).toBe(join('/var/cache/ann', 'curvekeep', 'compile-cache'));
    expect(compileCacheDir({ HOME: '/Users/ann' }, 'darwin')).toBe(join('/Users/ann', 'Library', 'Caches', 'Curvekeep', 'compile-cache'));
    expect(compileCacheDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32')).toBe(join('C:\\Users\\ann\\AppData\\Local', 'Curvekeep', 'compile-cache'));
  });

  it('ignores a relative XDG_CACHE_HOME, as the XDG specification says', () => {
    expect(compileCacheDir({ HOME: '/home/ann', XDG_CACHE_HOME: 'cache' }, 'linux')).toBe(join('/home/ann', '.cache', 'curvekeep', 'compile-cache'));
  });

  it('is CURVEKEEP_COMPILE_CACHE when given, and none when that says off, NODE_DISABLE_COMPILE_CACHE is set or no home is known', () => {
    expect(compileCacheDir({ HOME: '/home/ann', CURVEKEEP_COMPILE_CACHE: '/tmp/ck' }, 'linux')).toBe('/tmp/ck');
    expect(compileCacheDir({ HOME: '/home/ann', CURVEKEEP_COMPILE_CACHE: 'off' }, 'linux')).toBeNull();
    expect(compileCacheDir({ HOME: '/home/ann', NODE_DISABLE_COMPILE_CACHE: '1' }, 'linux')).toBeNull();
    expect(compileCacheDir({}, 'linux')).toBeNull();
    expect(compileCacheDir({}, 'win32')).toBeNull();
  });
});
