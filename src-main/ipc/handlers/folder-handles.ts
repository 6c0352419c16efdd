// Folder handles: the main process maps a random id to the folder the user chose, per session
// (per handler context), so that the page names a folder to write to only by a handle it was
// given. A handle this session did not hand out is refused.
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { RefusedError } from '../../core/errors.js';
import type { HandlerContext } from './context.js';

const MAX_HANDLES = 1000;
const registries = new WeakMap<HandlerContext, Map<string, string>>();

function registryOf(context: HandlerContext): Map<string, string> {
  let registry = registries.get(context);
  if (!registry) {
    registry = new Map();
    registries.set(context, registry);
  }
  return registry;
}

/** Asks the shell for a folder (its dialog, or the bridge's write root); null when cancelled. */
export async function chooseFolder(context: HandlerContext, request: Readonly<{ title: string; secret: boolean }>): Promise<{ handle: string; path: string } | null> {
  const path = await context.chooseExportFolder(request);
  if (path === null) return null;
  return handOut(context, path);
}

/**
 * A handle for a folder the main process already knows (a provisioning batch's output folder, as
 * recorded in the store): never for a path the page sent.
 */
export function handOut(context: HandlerContext, path: string): { handle: string; path: string } {
  if (!isAbsolute(path)) throw new RefusedError('the chosen folder is not an absolute path; nothing was written');
  const registry = registryOf(context);
  if (registry.size >= MAX_HANDLES) registry.delete(registry.keys().next().value!);
  const handle = `fh_${randomBytes(24).toString('base64url')}`;
  registry.set(handle, path);
  return { handle, path };
}

/** The folder behind a handle this session handed out. */
export function folderOf(context: HandlerContext, handle: string): string {
  const path = registryOf(context).get(handle);
  if (path === undefined) throw new RefusedError('that folder handle is unknown (handles last one session); choose the folder again');
  return path;
}
