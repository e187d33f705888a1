import type { ConsoleMessages } from './zh';

export const en: ConsoleMessages = {
  'console.title': 'Console',
  'console.sections': 'Console sections',
  'console.offline': 'You are offline. The console needs the network; try again when connected.',
  'console.pick': 'Choose a section.',

  // section: commendation
  'console.nav.commendation': 'Commendation',
  // end: commendation

  // section: people
  'console.nav.people': 'People and postings',
  // end: people

  // section: geography
  'console.nav.geography': 'Geography and fences',
  // end: geography

  // section: policy
  'console.nav.policy': 'Yearly policy',
  // end: policy

  // section: registers
  'console.nav.registers': 'Registers and imports',
  // end: registers

  // section: audit
  'console.nav.audit': 'Audit log',
  // end: audit
};
