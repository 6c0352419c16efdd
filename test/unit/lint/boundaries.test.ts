// The layer rules of eslint.config.js (curvekeep/boundaries, scripts/lint/boundaries.js) through
// ESLint's own API with the project's config, on sources that exist only in this test: a forbidden
// import fails `npm run check`, an allowed one passes, and `.svelte` files are linted too.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

/** The boundary errors ESLint reports for `code` as if it were the file at `path`. */
async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal, JSON.stringify(fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'curvekeep/boundaries' && m.severity === 2).map((m) => m.message);
}

describe('core/ imports no outer layer', () => {
  it.each([
    ['../ipc/contract.js', 'ipc'],
    ['../../cli/runner.js', 'cli'],
    ['../../app/window.js', 'app'],
    ['../../bridge/serve.js', 'bridge'],
    ['../../keychain/os-keychain.js', 'keychain'],
    ['../../shell/content-policy.js', 'shell'],
  ])('refuses %s', async (specifier) => {
    const file = specifier.startsWith('../../') ? 'src-main/core/store/lint-probe.ts' : 'src-main/core/lint-probe.ts';
    expect(await refusals(file, `import { x } from '${specifier}';\nexport const y = x;\n`)).toHaveLength(1);
  });

  it('refuses electron, also through import()', async () => {
    expect(await refusals('src-main/core/lint-probe.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await refusals('src-main/core/lint-probe.ts', "export const load = () => import('../ipc/dispatch.js');\n")).toHaveLength(1);
  });

  it('allows core, common, Node and packages', async () => {
    const code = [
      "import { readFile } from 'node:fs/promises';",
      "import { z } from 'zod';",
      "import { ROLES } from '../../common/roles.js';",
      "import { InvalidKeyError } from '../errors.js';",
      'export const all = [readFile, z, ROLES, InvalidKeyError];',
      '',
    ].join('\n');
    expect(await refusals('src-main/core/curve/lint-probe.ts', code)).toEqual([]);
  });
});

describe('the renderer imports the shared vocabulary and the contract\'s types only', () => {
  it('refuses Node modules, main-process code, a value from the contract, and electron', async () => {
    for (const line of [
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import { handlerTable } from '../../src-main/ipc/handlers/table.js';",
      "import { CHANNELS } from '../../src-main/ipc/contract.js';",
      "import { InvalidKeyError } from '../../src-main/core/errors.js';",
      "import { ipcRenderer } from 'electron';",
    ]) {
      expect(await refusals('src-renderer/lib/lint-probe.ts', `${line}\nexport const probe = 1;\n`), line).toHaveLength(1);
    }
  });

  it('allows common/, the transport constants and `import type` from the contract', async () => {
    const code = [
      "import type { ChannelName } from '../../src-main/ipc/contract.js';",
      "import { ROLES } from '../../src-main/common/roles.js';",
      "import { BRIDGE_CALL_PATH } from '../../src-main/ipc/transport.js';",
      "import { mount } from 'svelte';",
      'export const all: Array<ChannelName | unknown> = [ROLES, BRIDGE_CALL_PATH, mount];',
      '',
    ].join('\n');
    expect(await refusals('src-renderer/lib/lint-probe.ts', code)).toEqual([]);
  });

  it('lints the script of a .svelte component', async () => {
    const component = (line: string): string => `<script lang="ts">\n  ${line}\n  let count: number = $state(0);\n</script>\n\n<button onclick={() => count++}>{count}</button>\n`;
    expect(await refusals('src-renderer/views/LintProbe.svelte', component("import { readFileSync } from 'node:fs'; void readFileSync;"))).toHaveLength(1);
    expect(await refusals('src-renderer/views/LintProbe.svelte', component("import { ROLES } from '../../src-main/common/roles.js'; void ROLES;"))).toEqual([]);
  });
});

describe('electron and the Electron folder', () => {
  it('electron is imported in app/ only', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await refusals('src-main/app/lint-probe.ts', code)).toEqual([]);
    for (const file of ['src-main/cli/lint-probe.ts', 'src-main/ipc/lint-probe.ts', 'src-main/bridge/lint-probe.ts', 'src-main/shell/lint-probe.ts', 'src-main/keychain/lint-probe.ts']) {
      expect(await refusals(file, code), file).toHaveLength(1);
    }
  });

  it('the bridge and the shared shell do not reach into app/', async () => {
    expect(await refusals('src-main/bridge/lint-probe.ts', "import { createAppWindow } from '../app/window.js';\nexport const w = createAppWindow;\n")).toHaveLength(1);
    expect(await refusals('src-main/bridge/lint-probe.ts', "import { SECURITY_HEADERS } from '../shell/content-policy.js';\nexport const h = SECURITY_HEADERS;\n")).toEqual([]);
  });

  it('common/ depends on nothing', async () => {
    expect(await refusals('src-main/common/lint-probe.ts', "import { InvalidKeyError } from '../core/errors.js';\nexport const e = InvalidKeyError;\n")).toHaveLength(1);
    expect(await refusals('src-main/common/lint-probe.ts', "import { DAY_MS } from './time.js';\nexport const d = DAY_MS;\n")).toEqual([]);
  });
});
