// What a handler may use besides its validated arguments. The Electron shell and the browser
// bridge each build one; handlers never see the sender, the event or the HTTP request.
import type { z } from 'zod';
import type { Workspace } from '../../core/workspace.js';
import type { ChannelSpecs } from '../channels/spec.js';

export interface HandlerContext {
  readonly shell: 'electron' | 'bridge';
  readonly appVersion: string;
  /** The workspace over the shared data folder and the OS keychain, opened on first use. */
  workspace(): Workspace;
  /**
   * Where an export goes. The main process decides (a save dialog in Electron, a fresh folder
   * inside its write root in the bridge); the page never names a path to write. Null: cancelled.
   */
  chooseExportFolder(request: Readonly<{ title: string; secret: boolean }>): Promise<string | null>;
  /**
   * A file the user picks to import (an open dialog in Electron). Absent in the bridge, where the
   * page uploads the file's bytes instead. Null: cancelled.
   */
  chooseImportFile?(request: Readonly<{ title: string }>): Promise<string | null>;
}

/** Handlers may return the core's readonly views as they are. */
export type DeepReadonly<T> = T extends ReadonlyArray<infer U>
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Handler<S extends ChannelSpecs[string]> = (
  args: z.output<S['args']>,
  context: HandlerContext,
) => Promise<DeepReadonly<z.input<S['result']>>>;

/** One handler per channel of an area: a missing or extra handler is a compile error. */
export type AreaHandlers<S extends ChannelSpecs> = { readonly [C in keyof S]: Handler<S[C]> };
