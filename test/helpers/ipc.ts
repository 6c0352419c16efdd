// The handler table behind the one dispatcher, called the way the browser bridge calls it, over a
// test workspace on the real keychain.
import { Dispatcher, type Sender } from '../../src-main/ipc/dispatch.js';
import type { HandlerContext } from '../../src-main/ipc/handlers/context.js';
import { handlerTable } from '../../src-main/ipc/handlers/table.js';
import type { TestWorkspace } from './workspace.js';

export interface IpcCaller {
  call(channel: string, args: unknown): ReturnType<Dispatcher['call']>;
  /** The result of a call that must succeed; a refusal fails the test with its code and message. */
  ok(channel: string, args: unknown): Promise<Record<string, unknown>>;
}

export function ipcCaller(tws: TestWorkspace, chooseExportFolder: () => Promise<string | null> = async () => null): IpcCaller {
  const token = `ipc-test-${tws.service}`;
  const sender: Sender = { kind: 'bridge', token };
  const context: HandlerContext = { shell: 'bridge', appVersion: '0.0.0', workspace: () => tws.ws, chooseExportFolder };
  const dispatcher = new Dispatcher({ handlers: handlerTable, context, trusted: { kind: 'bridge', token }, log: () => undefined });
  const call = (channel: string, args: unknown) => dispatcher.call(channel, args, sender);
  return {
    call,
    async ok(channel, args) {
      const outcome = await call(channel, args);
      if (!outcome.ok) throw new Error(`${channel} failed: ${outcome.error.code}: ${outcome.error.message}`);
      return outcome.result as Record<string, unknown>;
    },
  };
}
