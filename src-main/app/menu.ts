// The application menu: File, Edit, View, Help (and the app menu on macOS). Developer tools are
// in the View menu of development builds only.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  readonly appName: string;
  readonly isPackaged: boolean;
  readonly platform: NodeJS.Platform;
  openDataFolder(): void;
  showAbout(): void;
}

export function appMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const dataFolder: MenuItemConstructorOptions = { label: 'Show Data Folder', click: () => options.openDataFolder() };
  const about: MenuItemConstructorOptions = { label: `About ${options.appName}`, click: () => options.showAbout() };
  const developer: MenuItemConstructorOptions[] = options.isPackaged ? [] : [{ type: 'separator' }, { role: 'toggleDevTools' }];
  return [
    ...(mac
      ? [{ label: options.appName, submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] } satisfies MenuItemConstructorOptions]
      : []),
    { label: 'File', submenu: [dataFolder, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...developer,
      ],
    },
    { label: 'Help', role: 'help', submenu: mac ? [dataFolder] : [about, dataFolder] },
  ];
}
