// Pages are open by role: another role sees a clear "no access" page at the
// same address, and its menu does not offer the page.
import assert from 'node:assert/strict'
import { loginAs, pathOf, screenshot, uiTest } from './helpers.js'

uiTest('a page visited without the right role shows "no access"', {}, async (page) => {
  await loginAs(page, 'ngo1')
  const menu = await page.getByTestId('nav-menu').textContent()
  assert.ok(!menu.includes('服务主体审核'), 'the menu does not offer admin pages')
  assert.ok(!menu.includes('一户一档'), 'the menu does not offer coordinator pages')

  await page.goto('/admin/providers')
  await page.getByTestId('no-access').getByText('无权访问').waitFor()
  await page.getByTestId('no-access').getByText('社会组织').waitFor()
  assert.equal(pathOf(page), '/admin/providers', 'the address stays')
  await screenshot(page, 'no-access')

  await page.goto('/households/hh-000052?tab=evaluation')
  await page.getByTestId('no-access').waitFor()
  await page.getByTestId('no-access').getByRole('button', { name: '返回首页' }).click()
  await page.waitForURL((u) => u.pathname === '/')
})

uiTest('a coordinator may not open provider or admin pages', {}, async (page) => {
  await loginAs(page, 'coordinator.610103002001')
  for (const path of ['/offerings', '/admin/index', '/jobs']) {
    await page.goto(path)
    await page.getByTestId('no-access').waitFor()
    assert.equal(pathOf(page), path)
  }
})

uiTest('a volunteer sees their home page and a note about tasks', {}, async (page) => {
  await loginAs(page, 'volunteer1')
  await page.getByTestId('volunteer-slot').waitFor()
  await page.goto('/needs')
  await page.getByTestId('no-access').waitFor()
})
