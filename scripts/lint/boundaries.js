// ESLint rule `curvekeep/boundaries`: which layer may import which (docs/ARCHITECTURE.md).
// Relative imports are resolved against the importing file, so the rule sees the folder an
// import lands in however deep the file is. Checked: import and export declarations, `import()`
// with a literal, and `require()` with a literal.
//
// Options: an array of zones, the first whose `files` (paths relative to the project root,
// prefixes ending in `/`) holds the linted file applies:
//   { files: ['src-main/core/'], allow: ['src-main/core/', 'src-main/common/'],
//     allowTypes: ['src-main/keychain/secret-store.ts'], packages: true, builtins: true,
//     forbidPackages: ['electron'], message: 'core/ is the inner layer' }
// - allow: project prefixes any import may reach (everything else in src-main/ and src-renderer/
//   is refused), deny: prefixes refused even so; allowTypes: prefixes reachable by `import type` /
//   `export type` only. A prefix without a trailing `/` is one module (any extension).
// - packages: whether npm packages may be imported (forbidPackages refuses some by name);
//   builtins: whether Node's modules may.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const BUILTINS = new Set(builtinModules);
const LAYERED = ['src-main/', 'src-renderer/'];

function posix(path) {
  return path.split(sep).join('/');
}

/** The project-relative path an import lands in (without its extension), or null for a package. */
function target(root, file, specifier) {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null;
  const absolute = resolve(dirname(file), specifier);
  return posix(relative(root, absolute)).replace(/\.(js|ts|mjs|cjs|svelte)$/, '');
}

const under = (path, prefixes) => prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p.replace(/\.(js|ts)$/, '')));

export default {
  meta: {
    type: 'problem',
    docs: { description: 'keeps each layer to the imports it may make' },
    schema: [{ type: 'array' }],
    messages: { refused: '{{what}} may not be imported here: {{why}}' },
  },
  create(context) {
    const root = context.cwd;
    const file = context.physicalFilename;
    const path = posix(relative(root, file));
    const zone = (context.options[0] ?? []).find((z) => z.files.some((f) => path.startsWith(f)));
    if (!zone) return {};

    function check(node, source, typeOnly) {
      if (!source || typeof source.value !== 'string') return;
      const specifier = source.value;
      const refuse = (why) => context.report({ node, messageId: 'refused', data: { what: JSON.stringify(specifier), why: zone.message ? `${why} (${zone.message})` : why } });
      const landed = target(root, file, specifier);
      if (landed === null) {
        const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
        if (specifier.startsWith('node:') || BUILTINS.has(bare.split('/')[0])) {
          if (!zone.builtins) refuse('no Node module in this layer');
          return;
        }
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!zone.packages || (zone.forbidPackages ?? []).includes(name)) refuse(`package ${name} is not for this layer`);
        return;
      }
      if (!LAYERED.some((l) => landed.startsWith(l))) return;
      if (under(landed, zone.allow ?? []) && !under(landed, zone.deny ?? [])) return;
      if (typeOnly && under(landed, zone.allowTypes ?? [])) return;
      refuse(`${landed} is outside what this layer may import${(zone.allowTypes ?? []).length ? ' (some of it as `import type` only)' : ''}`);
    }

    return {
      ImportDeclaration: (node) => check(node, node.source, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null, false),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0], false);
      },
    };
  },
};
