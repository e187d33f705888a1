import type { ComponentType } from 'preact';
import type { Role } from '../auth';
import type { ViewProps } from '../routes';
import type { ConsoleKey } from './i18n';

/**
 * The console's sections (`#/console/<name>/...`): each is loaded as its own chunk on first
 * visit and shows only to the roles it is for. A new section is one entry here.
 * A section receives the route's parameters after its own name.
 */
export interface SectionDef {
  name: string;
  label: ConsoleKey;
  load: () => Promise<{ default: ComponentType<ViewProps> }>;
  roles: Role[];
}

export const SECTIONS: SectionDef[] = [
  // section: commendation
  {
    name: 'commendation',
    label: 'console.nav.commendation',
    load: () => import('./commendation/Commendation'),
    roles: ['county_admin', 'township_reviewer'],
  },
  // end: commendation
  // section: people
  {
    name: 'people',
    label: 'console.nav.people',
    load: () => import('./people/People'),
    roles: ['county_admin', 'township_reviewer'],
  },
  // end: people
  // section: geography
  { name: 'geography', label: 'console.nav.geography', load: () => import('./geography/Geography'), roles: ['county_admin', 'township_reviewer'] },
  // end: geography
  // section: policy
  { name: 'policy', label: 'console.nav.policy', load: () => import('./policy/Policy'), roles: ['county_admin', 'township_reviewer'] },
  // end: policy
  // section: registers
  { name: 'registers', label: 'console.nav.registers', load: () => import('./registers/Registers'), roles: ['county_admin', 'township_reviewer'] },
  // end: registers
  // section: audit
  { name: 'audit', label: 'console.nav.audit', load: () => import('./audit/Audit'), roles: ['county_admin'] },
  // end: audit
];

export function sectionsFor(roles: readonly Role[]): SectionDef[] {
  return SECTIONS.filter((s) => s.roles.some((r) => roles.includes(r)));
}
