// Counts shown beside sidebar entries (e.g. pending budget requests on "Budgets" for admins).
// A feature sets the count for its route name when it learns it; the sidebar shows it with a
// text label for screen readers. Zero or null hides the badge.
import { reactive } from 'vue'

export interface NavBadge {
  count: number
  /** Read after the count by screen readers: "3 pending". */
  label: string
}

const badges = reactive(new Map<string, NavBadge>())

export function setNavBadge(routeName: string, count: number | null, label = 'new'): void {
  if (!count) badges.delete(routeName)
  else badges.set(routeName, { count, label })
}

export function navBadge(routeName: string): NavBadge | undefined {
  return badges.get(routeName)
}
