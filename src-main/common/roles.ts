// What an own identity is for. The same words in core, the IPC contract, the CLI and the page.

export const ROLES = ['server', 'client', 'device'] as const;
export type Role = (typeof ROLES)[number];
