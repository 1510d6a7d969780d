import { createRouter, createWebHistory, type Router } from 'vue-router'
import { basePath } from './base'
import HomeView from './views/HomeView.vue'

export function createAppRouter(base: string = basePath()): Router {
  const router = createRouter({
    history: createWebHistory(base),
    routes: [
      { path: '/', name: 'home', component: HomeView, meta: { title: 'Home' } },
      {
        path: '/about',
        name: 'about',
        component: () => import('./views/AboutView.vue'),
        meta: { title: 'About' },
      },
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { title: 'Not found' },
      },
    ],
  })
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : ''
    document.title = title ? `${title} · ironpanel` : 'ironpanel'
  })
  return router
}
