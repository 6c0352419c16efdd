// Light, dark, or whatever the system prefers. The choice is a page preference (it changes no
// data), kept in localStorage and applied as `data-theme` on <html>; styles/app.css does the rest.

export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

const STORAGE_KEY = 'curvekeep.theme';

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEME_CHOICES as ReadonlyArray<string>).includes(value);
}

export function loadThemeChoice(storage: Pick<Storage, 'getItem'> | null = safeStorage()): ThemeChoice {
  const stored = storage?.getItem(STORAGE_KEY);
  return isThemeChoice(stored) ? stored : 'system';
}

export function saveThemeChoice(choice: ThemeChoice, storage: Pick<Storage, 'setItem'> | null = safeStorage()): void {
  storage?.setItem(STORAGE_KEY, choice);
}

export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
