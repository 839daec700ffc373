// Routes and the guards. Pages inside the app shell are children of the "/"
// route; a child with meta.nav appears in the navigation menu, and one with
// meta.roles is open only to those roles: anyone else sees the "no access"
// page at the same address. Every page is its own chunk (route-level code
// splitting), so a role downloads only the pages it opens.
import {
  Aim,
  Bell,
  Checked,
  Collection,
  Flag,
  MapLocation,
  Memo,
  Message,
  Tickets,
  Timer,
  User,
  UserFilled,
  Warning,
  Connection,
  DataAnalysis,
  Document,
  EditPen,
  Goods,
  HomeFilled,
  House,
  List,
  Money,
  Odometer,
  OfficeBuilding,
  Refresh,
  Search,
  Suitcase,
  UploadFilled,
} from '@element-plus/icons-vue'
import { markRaw } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { onSessionEnd } from './api.js'
import AppLayout from './layouts/AppLayout.vue'
import { PUBLISHERS, canOpen } from './roles.js'
import { isSignedIn, session } from './session.js'

const COORDINATOR = ['coordinator']
const ADMIN = ['admin']
const VOLUNTEER = ['volunteer']

/** A page of the app shell: path, component loader, title key, roles, and a menu entry when `nav` is given. */
function page(path, name, load, { titleKey, roles, nav } = {}) {
  const meta = { titleKey, roles }
  if (nav) meta.nav = { labelKey: titleKey, icon: markRaw(nav.icon), order: nav.order }
  return { path, name, component: load, meta }
}

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, titleKey: 'login.title' },
  },
  {
    path: '/volunteer/signup',
    name: 'volunteer-signup',
    component: () => import('./views/volunteer/SignupView.vue'),
    meta: { public: true, titleKey: 'volunteer.signup.title' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      page('', 'home', () => import('./views/HomeView.vue'), {
        titleKey: 'nav.home',
        nav: { icon: HomeFilled, order: 0 },
      }),
      // Coordinators
      page('dashboard', 'dashboard', () => import('./views/coordinator/DashboardView.vue'), {
        titleKey: 'nav.dashboard',
        roles: COORDINATOR,
        nav: { icon: DataAnalysis, order: 10 },
      }),
      page('needs', 'needs', () => import('./views/coordinator/NeedListView.vue'), {
        titleKey: 'nav.needs',
        roles: COORDINATOR,
        nav: { icon: List, order: 20 },
      }),
      page('needs/new', 'need-new', () => import('./views/coordinator/NeedNewView.vue'), {
        titleKey: 'nav.needNew',
        roles: COORDINATOR,
        nav: { icon: EditPen, order: 21 },
      }),
      page('needs/:id', 'need', () => import('./views/coordinator/NeedView.vue'), {
        titleKey: 'need.title',
        roles: COORDINATOR,
      }),
      page('households', 'households', () => import('./views/coordinator/HouseholdListView.vue'), {
        titleKey: 'nav.households',
        roles: COORDINATOR,
        nav: { icon: House, order: 30 },
      }),
      page('households/:id', 'household', () => import('./views/coordinator/HouseholdView.vue'), {
        titleKey: 'household.title',
        roles: COORDINATOR,
      }),
      // Referrals: the coordinator's case list and one case (views/coordinator/Case*, Referral*).
      page('referrals', 'referrals', () => import('./views/coordinator/CaseListView.vue'), {
        titleKey: 'referrals.cases',
        roles: COORDINATOR,
        nav: { icon: Tickets, order: 25 },
      }),
      page('referrals/:id', 'referral', () => import('./views/coordinator/ReferralView.vue'), {
        titleKey: 'referrals.title',
        roles: [...COORDINATOR, ...ADMIN],
      }),
      page('near', 'near', () => import('./views/coordinator/NearView.vue'), {
        titleKey: 'nav.near',
        roles: COORDINATOR,
        nav: { icon: Aim, order: 40 },
      }),
      page('matching', 'matching', () => import('./views/coordinator/MatchingView.vue'), {
        titleKey: 'nav.matching',
        roles: COORDINATOR,
        nav: { icon: Connection, order: 50 },
      }),
      page('data', 'data', () => import('./views/coordinator/DataView.vue'), {
        titleKey: 'nav.data',
        roles: COORDINATOR,
        nav: { icon: UploadFilled, order: 60 },
      }),
      page('audit', 'audit', () => import('./views/coordinator/AuditView.vue'), {
        titleKey: 'nav.audit',
        roles: COORDINATOR,
        nav: { icon: Document, order: 70 },
      }),
      // Providers
      page('offerings', 'offerings', () => import('./views/provider/OfferingsView.vue'), {
        titleKey: 'nav.offerings',
        roles: PUBLISHERS,
        nav: { icon: Goods, order: 10 },
      }),
      page('jobs', 'jobs', () => import('./views/provider/JobsView.vue'), {
        titleKey: 'nav.jobs',
        roles: ['enterprise', 'unit'],
        nav: { icon: Suitcase, order: 15 },
      }),
      // Referrals to a provider, its statements and its light (views/provider/Inbox*, Referral*, Settlement*, Light*).
      page('inbox', 'inbox', () => import('./views/provider/InboxView.vue'), {
        titleKey: 'referrals.inbox',
        roles: PUBLISHERS,
        nav: { icon: Message, order: 5 },
      }),
      page('inbox/:id', 'inbox-referral', () => import('./views/provider/ReferralWorkView.vue'), {
        titleKey: 'referrals.title',
        roles: PUBLISHERS,
      }),
      page('settlements', 'settlements', () => import('./views/provider/SettlementView.vue'), {
        titleKey: 'referrals.settlements',
        roles: PUBLISHERS,
        nav: { icon: Money, order: 50 },
      }),
      page('light', 'light', () => import('./views/provider/LightView.vue'), {
        titleKey: 'referrals.light',
        roles: PUBLISHERS,
        nav: { icon: Odometer, order: 55 },
      }),
      page('jobs/:id/people', 'job-people', () => import('./views/enterprise/JobPeopleView.vue'), {
        titleKey: 'enterprise.title',
        roles: ['enterprise', 'unit'],
      }),
      page('supply', 'supply', () => import('./views/provider/SupplySearchView.vue'), {
        titleKey: 'nav.supply',
        roles: [...PUBLISHERS, 'coordinator'],
        nav: { icon: Search, order: 45 },
      }),
      page('open-needs', 'open-needs', () => import('./views/provider/OpenNeedsView.vue'), {
        titleKey: 'nav.openNeeds',
        roles: PUBLISHERS,
        nav: { icon: Bell, order: 30 },
      }),
      // Volunteers
      page('tasks', 'task-board', () => import('./views/volunteer/TaskBoardView.vue'), {
        titleKey: 'volunteer.board.title',
        roles: VOLUNTEER,
        nav: { icon: MapLocation, order: 10 },
      }),
      page('tasks/mine', 'my-tasks', () => import('./views/volunteer/MyTasksView.vue'), {
        titleKey: 'volunteer.mine.title',
        roles: VOLUNTEER,
        nav: { icon: Tickets, order: 20 },
      }),
      page('hours', 'my-hours', () => import('./views/volunteer/HoursView.vue'), {
        titleKey: 'volunteer.hours.title',
        roles: VOLUNTEER,
        nav: { icon: Timer, order: 30 },
      }),
      // Coordinators: volunteers, their tasks, warnings and signals
      page('volunteers', 'volunteers', () => import('./views/coordinator/VolunteersView.vue'), {
        titleKey: 'volunteer.coord.title',
        roles: COORDINATOR,
        nav: { icon: UserFilled, order: 55 },
      }),
      page('volunteer-tasks', 'volunteer-tasks', () => import('./views/coordinator/TasksView.vue'), {
        titleKey: 'volunteer.coordTasks.title',
        roles: COORDINATOR,
        nav: { icon: Checked, order: 56 },
      }),
      page('warnings', 'warnings', () => import('./views/coordinator/WarningsView.vue'), {
        titleKey: 'warnings.list.title',
        roles: COORDINATOR,
        nav: { icon: Warning, order: 35 },
      }),
      page('warnings/:id', 'warning', () => import('./views/coordinator/WarningView.vue'), {
        titleKey: 'warnings.detail.title',
        roles: COORDINATOR,
      }),
      page('signals', 'signals', () => import('./views/coordinator/SignalsView.vue'), {
        titleKey: 'warnings.signals.title',
        roles: COORDINATOR,
        nav: { icon: Message, order: 36 },
      }),
      // Admins
      page('admin/users', 'admin-users', () => import('./views/admin/UsersView.vue'), {
        titleKey: 'adminPages.users.title',
        roles: ADMIN,
        nav: { icon: User, order: 5 },
      }),
      page('admin/places', 'admin-places', () => import('./views/admin/PlacesView.vue'), {
        titleKey: 'adminPages.places.title',
        roles: ADMIN,
        nav: { icon: Flag, order: 30 },
      }),
      page('admin/catalogue', 'admin-catalogue', () => import('./views/admin/CatalogueView.vue'), {
        titleKey: 'adminPages.catalogue.title',
        roles: ADMIN,
        nav: { icon: Collection, order: 40 },
      }),
      page('admin/policies', 'admin-policies', () => import('./views/admin/PoliciesView.vue'), {
        titleKey: 'adminPages.policies.title',
        roles: ADMIN,
        nav: { icon: Memo, order: 50 },
      }),
      // Admins
      page('admin/providers', 'admin-providers', () => import('./views/admin/ProvidersView.vue'), {
        titleKey: 'nav.providers',
        roles: ADMIN,
        nav: { icon: OfficeBuilding, order: 10 },
      }),
      page('admin/index', 'admin-index', () => import('./views/admin/IndexView.vue'), {
        titleKey: 'nav.index',
        roles: ADMIN,
        nav: { icon: Refresh, order: 20 },
      }),
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { titleKey: 'notFound.title' },
      },
      {
        // Reached only by name, from the guard: it keeps the address the user asked for.
        path: ':pathMatch(.*)*',
        name: 'no-access',
        component: () => import('./views/NoAccessView.vue'),
        meta: { titleKey: 'noAccess.title' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (to, from, saved) => saved || (to.path !== from.path ? { top: 0 } : undefined),
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
  if (!canOpen(to.meta.roles, session.user?.role)) {
    return {
      name: 'no-access',
      params: { pathMatch: to.path.substring(1).split('/') },
      query: to.query,
      hash: to.hash,
      replace: true,
    }
  }
  return true
})

// The API client ends the session when a refresh is refused.
onSessionEnd(() => {
  const current = router.currentRoute.value
  if (current.meta.public) return
  router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
})
