// The one route table. Each entry says where a view lives (lazy chunk), its title, who may
// open it (minRole) and, when it has one, its place in the sidebar (nav). The sidebar, the
// document title, the guard and the e2e smoke test (which visits every route) all read it.
//
// To build a view, replace the placeholder component file the route points at; add a route
// here only for a new screen.
import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router'
import { basePath } from './base'
import type { AppIconName } from './components/icons'
import { roleAtLeast, useSessionStore, type Role } from './stores/session'

export type NavGroup = 'Monitor' | 'Manage' | 'Administration'
export const NAV_GROUPS: NavGroup[] = ['Monitor', 'Manage', 'Administration']

declare module 'vue-router' {
  interface RouteMeta {
    title: string
    /** Lowest role that may open the route (default: any signed-in user). */
    minRole?: Role
    /** Reachable without a session (sign-in pages). */
    public?: boolean
    /** 'auth': centred card without the shell (sign-in pages). */
    layout?: 'auth'
    /** Sidebar entry; routes without one (details, account) are still role-checked. */
    nav?: { group: NavGroup; icon: AppIconName; order: number; label?: string }
  }
}

export const routes: RouteRecordRaw[] = [
  // Sign-in pages
  { path: '/setup', name: 'setup', component: () => import('./features/setup/SetupView.vue'), meta: { title: 'Set up ironpanel', public: true, layout: 'auth' } },
  { path: '/login', name: 'login', component: () => import('./features/auth/LoginView.vue'), meta: { title: 'Sign in', public: true, layout: 'auth' } },
  { path: '/change-password', name: 'change-password', component: () => import('./features/auth/ChangePasswordView.vue'), meta: { title: 'Change your password', layout: 'auth' } },
  { path: '/logout', name: 'logout', component: () => import('./features/auth/LogoutView.vue'), meta: { title: 'Signing out', public: true, layout: 'auth' } },

  // Monitor
  { path: '/', name: 'overview', component: () => import('./features/overview/OverviewView.vue'), meta: { title: 'Overview', nav: { group: 'Monitor', icon: 'overview', order: 1 } } },
  { path: '/analytics', name: 'analytics', component: () => import('./features/analytics/AnalyticsView.vue'), meta: { title: 'Analytics', nav: { group: 'Monitor', icon: 'analytics', order: 2 } } },

  // Manage
  { path: '/agents', name: 'agents', component: () => import('./features/agents/AgentListView.vue'), meta: { title: 'Agents', nav: { group: 'Manage', icon: 'agents', order: 1 } } },
  { path: '/agents/:id', name: 'agent-detail', component: () => import('./features/agents/AgentDetailView.vue'), meta: { title: 'Agent' } },
  { path: '/budgets', name: 'budgets', component: () => import('./features/budget-requests/BudgetsView.vue'), meta: { title: 'Budgets', nav: { group: 'Manage', icon: 'budgets', order: 2 } } },
  { path: '/limits', name: 'limits', component: () => import('./features/limits/LimitListView.vue'), meta: { title: 'Usage limits', nav: { group: 'Manage', icon: 'limits', order: 3 } } },
  { path: '/api-tokens', name: 'api-tokens', component: () => import('./features/api-tokens/ApiTokenListView.vue'), meta: { title: 'API tokens', nav: { group: 'Manage', icon: 'tokens', order: 4 } } },
  { path: '/providers', name: 'providers', component: () => import('./features/providers/ProviderListView.vue'), meta: { title: 'Provider keys', nav: { group: 'Manage', icon: 'providers', order: 5 } } },

  // Administration
  { path: '/users', name: 'users', component: () => import('./features/users/UserListView.vue'), meta: { title: 'Users', minRole: 'admin', nav: { group: 'Administration', icon: 'users', order: 1 } } },
  { path: '/audit', name: 'audit', component: () => import('./features/audit/AuditLogView.vue'), meta: { title: 'Audit log', minRole: 'admin', nav: { group: 'Administration', icon: 'audit', order: 2 } } },
  { path: '/prices', name: 'prices', component: () => import('./features/prices/PricesView.vue'), meta: { title: 'Prices', minRole: 'admin', nav: { group: 'Administration', icon: 'prices', order: 3 } } },
  { path: '/system', name: 'system', component: () => import('./features/system/SystemView.vue'), meta: { title: 'System', minRole: 'admin', nav: { group: 'Administration', icon: 'system', order: 3 } } },

  // Reached from the user menu
  { path: '/account', name: 'account', component: () => import('./features/account/AccountView.vue'), meta: { title: 'My account' } },

  { path: '/forbidden', name: 'forbidden', component: () => import('./views/ForbiddenView.vue'), meta: { title: 'Not allowed' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: 'Not found' } },
]

/** Sidebar sections for a role, in table order. */
export function navFor(role: Role | null): { group: NavGroup; items: RouteRecordRaw[] }[] {
  return NAV_GROUPS.map((group) => ({
    group,
    items: routes
      .filter((r) => r.meta?.nav?.group === group && roleAtLeast(role, r.meta.minRole ?? 'viewer'))
      .sort((a, b) => (a.meta?.nav?.order ?? 0) - (b.meta?.nav?.order ?? 0)),
  })).filter((s) => s.items.length > 0)
}

/** Where a signed-in person lands: the `redirect` query when it is an in-app path. */
export function safeRedirect(target: unknown): string {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : '/'
}

export function createAppRouter(base: string = basePath()): Router {
  const router = createRouter({ history: createWebHistory(base), routes })

  // The one guard: session restored? signed in? password change pending? role high enough?
  router.beforeEach(async (to) => {
    const session = useSessionStore()
    await session.restore()
    if (to.meta.public) {
      if (session.signedIn && (to.name === 'login' || to.name === 'setup')) return safeRedirect(to.query.redirect)
      return true
    }
    if (!session.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    if (session.mustChangePassword && to.name !== 'change-password') {
      return { name: 'change-password', query: { redirect: to.fullPath } }
    }
    if (!roleAtLeast(session.role, to.meta.minRole ?? 'viewer')) {
      return { name: 'forbidden', query: { from: to.fullPath, needs: to.meta.minRole } }
    }
    return true
  })

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · ironpanel` : 'ironpanel'
  })
  return router
}
