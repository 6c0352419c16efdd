// The views of the app, in navigation order: one line each (id for the URL hash, the label the
// sidebar shows, and a loader so that each view's code loads when it is first opened).
import type { Component } from 'svelte';
import type { ViewProps } from './view-props.js';

export interface ViewModule {
  readonly default: Component<ViewProps>;
}

export interface ViewEntry {
  readonly id: string;
  readonly label: string;
  readonly load: () => Promise<ViewModule>;
}

export const VIEWS: ReadonlyArray<ViewEntry> = Object.freeze([
  { id: 'keys', label: 'Keys', load: () => import('./keys/KeysView.svelte') },
  { id: 'peers', label: 'Peers', load: () => import('./peers/PeersView.svelte') },
  { id: 'pins', label: 'Pins', load: () => import('./pins/PinsView.svelte') },
  { id: 'links', label: 'Link tests', load: () => import('./links/LinksView.svelte') },
  { id: 'rotation', label: 'Rotation', load: () => import('./rotation/RotationView.svelte') },
  { id: 'timeline', label: 'Timeline', load: () => import('./timeline/TimelineView.svelte') },
  { id: 'provisioning', label: 'Provisioning', load: () => import('./provisioning/ProvisioningView.svelte') },
  { id: 'audit', label: 'Audit', load: () => import('./audit/AuditView.svelte') },
  { id: 'settings', label: 'Settings', load: () => import('./settings/SettingsView.svelte') },
]);

export const DEFAULT_VIEW: ViewEntry = VIEWS[0]!;

/** The view a location hash (`#/peers`, `#/peers/ID`) names, or the first view. */
export function viewForHash(hash: string, views: ReadonlyArray<ViewEntry> = VIEWS): ViewEntry {
  const id = hash.replace(/^#\/?/, '').split('/')[0] ?? '';
  return views.find((v) => v.id === id) ?? views[0] ?? DEFAULT_VIEW;
}

export function hashForView(view: Pick<ViewEntry, 'id'>): string {
  return `#/${view.id}`;
}
