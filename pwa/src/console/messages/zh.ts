/**
 * 管理台 (the county's and townships' console): its own catalogue, loaded with the console's
 * chunk so that the cadre's first screen does not carry it. Every other language must have
 * exactly these keys. Each section keeps its keys together under its marker.
 */
export const zh = {
  'console.title': '管理',
  'console.sections': '管理功能',
  'console.offline': '当前离线。管理功能需要联网，联网后再试。',
  'console.pick': '请选择一项管理功能。',

  // section: commendation
  'console.nav.commendation': '评优评先',
  // end: commendation

  // section: people
  'console.nav.people': '人员与派驻',
  // end: people

  // section: geography
  'console.nav.geography': '区划与围栏',
  // end: geography

  // section: policy
  'console.nav.policy': '年度政策',
  // end: policy

  // section: registers
  'console.nav.registers': '登记与导入',
  // end: registers

  // section: audit
  'console.nav.audit': '审计日志',
  // end: audit
};

export type ConsoleKey = keyof typeof zh;
export type ConsoleMessages = Record<ConsoleKey, string>;
