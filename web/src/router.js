// Routes and the sign-in guard. Pages inside the app shell are children of the
// "/" route; a child with meta.nav appears in the navigation menu, and one with
// meta.roles is open only to those roles.
import { HomeFilled } from '@element-plus/icons-vue'
import { markRaw } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { onSessionEnd } from './api.js'
import AppLayout from './layouts/AppLayout.vue'
import { isSignedIn, session } from './session.js'

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, titleKey: 'login.title' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      {
        path: '',
        name: 'home',
        component: () => import('./views/HomeView.vue'),
        meta: { titleKey: 'nav.home', nav: { labelKey: 'nav.home', icon: markRaw(HomeFilled), order: 0 } },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { titleKey: 'notFound.title' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
})

/** Only same-site paths are followed after sign-in (no open redirects). */
export function safeRedirect(target) {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//')
    ? target
    : '/'
}

router.beforeEach((to) => {
  if (to.meta.public) {
    return to.name === 'login' && isSignedIn() ? { name: 'home' } : true
  }
  if (!isSignedIn()) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  const roles = to.meta.roles
  if (roles && session.user && !roles.includes(session.user.role)) {
    return { name: 'home' }
  }
  return true
})

// The API client ends the session when a refresh is refused.
onSessionEnd(() => {
  const current = router.currentRoute.value
  if (current.meta.public) return
  router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
})
