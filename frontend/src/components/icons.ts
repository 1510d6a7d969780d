// Stroke icon paths (24x24 viewBox) drawn by AppIcon.vue.
export type AppIconName =
  | 'overview' | 'analytics' | 'agents' | 'budgets' | 'limits' | 'tokens' | 'providers' | 'users'
  | 'audit' | 'system' | 'menu' | 'close' | 'sun' | 'moon' | 'logout' | 'user' | 'chevron-down'
  | 'chevron-left' | 'chevron-right' | 'sort' | 'sort-up' | 'sort-down' | 'copy' | 'check' | 'alert'
  | 'info' | 'search' | 'refresh' | 'plus' | 'lock' | 'flame' | 'circle' | 'prices'

export const ICON_PATHS: Record<AppIconName, string[]> = {
  overview: ['M3 13h8V3H3z', 'M13 21h8V11h-8z', 'M3 21h8v-6H3z', 'M13 9h8V3h-8z'],
  analytics: ['M3 3v18h18', 'M7 15l4-4 3 3 5-6'],
  agents: ['M12 8V4H8', 'M4 8h16v12H4z', 'M2 14h2', 'M20 14h2', 'M9 13v2', 'M15 13v2'],
  budgets: ['M21 12V7H5a2 2 0 0 1 0-4h14v4', 'M3 5v14a2 2 0 0 0 2 2h16v-5', 'M18 12a2 2 0 0 0 0 4h4v-4z'],
  limits: ['M12 22a10 10 0 1 1 10-10', 'M12 12l5-5', 'M12 2v3', 'M2 12h3'],
  tokens: ['M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7z'],
  providers: ['M4 6h16v4H4z', 'M4 14h16v4H4z', 'M8 8h.01', 'M8 16h.01'],
  users: ['M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2', 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M22 21v-2a4 4 0 0 0-3-3.9', 'M16 3.1a4 4 0 0 1 0 7.8'],
  audit: ['M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z', 'M14 2v6h6', 'M8 13h8', 'M8 17h8'],
  system: ['M22 12h-4l-3 9L9 3l-3 9H2'],
  prices: ['M20.6 13.4l-7.2 7.2a2 2 0 0 1-2.8 0L2 12V2h10l8.6 8.6a2 2 0 0 1 0 2.8z', 'M7 7h.01'],
  menu: ['M3 6h18', 'M3 12h18', 'M3 18h18'],
  close: ['M18 6L6 18', 'M6 6l12 12'],
  sun: ['M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10z', 'M12 1v2', 'M12 21v2', 'M4.2 4.2l1.4 1.4', 'M18.4 18.4l1.4 1.4', 'M1 12h2', 'M21 12h2', 'M4.2 19.8l1.4-1.4', 'M18.4 5.6l1.4-1.4'],
  moon: ['M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z'],
  logout: ['M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'M16 17l5-5-5-5', 'M21 12H9'],
  user: ['M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2', 'M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z'],
  'chevron-down': ['M6 9l6 6 6-6'],
  'chevron-left': ['M15 18l-6-6 6-6'],
  'chevron-right': ['M9 18l6-6-6-6'],
  sort: ['M8 9l4-4 4 4', 'M16 15l-4 4-4-4'],
  'sort-up': ['M8 14l4-4 4 4'],
  'sort-down': ['M8 10l4 4 4-4'],
  copy: ['M9 9h11v11H9z', 'M5 15H4V4h11v1'],
  check: ['M20 6L9 17l-5-5'],
  alert: ['M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z', 'M12 9v4', 'M12 17h.01'],
  info: ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z', 'M12 16v-4', 'M12 8h.01'],
  search: ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z', 'M21 21l-4.3-4.3'],
  refresh: ['M23 4v6h-6', 'M1 20v-6h6', 'M3.5 9a9 9 0 0 1 14.8-3.4L23 10', 'M1 14l4.6 4.4A9 9 0 0 0 20.5 15'],
  plus: ['M12 5v14', 'M5 12h14'],
  lock: ['M5 11h14v10H5z', 'M8 11V7a4 4 0 0 1 8 0v4'],
  flame: ['M12 22c4 0 7-3 7-7 0-5-5-8-5-13-3 2-6 6-6 10-1-1-2-2-2-4-1 2-1 4-1 7 0 4 3 7 7 7z'],
  circle: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z'],
}

