import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import AppBudgetBar from './AppBudgetBar.vue'
import AppConfirm from './AppConfirm.vue'
import AppCreateButton from './AppCreateButton.vue'
import AppDialogActions from './AppDialogActions.vue'
import AppFilterSelect from './AppFilterSelect.vue'
import AppFormDialog from './AppFormDialog.vue'
import AppInputField from './AppInputField.vue'
import AppMoney from './AppMoney.vue'
import AppRiskBadge from './AppRiskBadge.vue'
import AppTime from './AppTime.vue'

// jsdom has no <dialog> modal API; the components only need it to exist.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true
}
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.open = false
}

describe('shared components', () => {
  it('AppCreateButton is a primary, mutating button unless plain, and passes clicks through', async () => {
    let clicks = 0
    const w = mount(AppCreateButton, { slots: { default: 'New token' }, attrs: { 'data-testid': 'token-new', onClick: () => clicks++ } })
    expect(w.text()).toBe('New token')
    expect(w.attributes()).toMatchObject({ type: 'button', 'data-mutates': '', 'data-testid': 'token-new' })
    expect(w.classes()).toEqual(['btn', 'btn-primary'])
    await w.trigger('click')
    expect(clicks).toBe(1)
    expect(mount(AppCreateButton, { props: { plain: true } }).classes()).toEqual(['btn'])
  })

  it('AppInputField wires its input to the label, hint and error and passes attributes through', async () => {
    const w = mount(AppInputField, {
      props: { modelValue: 'a', label: 'Email', hint: 'Work address', error: 'Taken', required: true },
      attrs: { type: 'email', class: 'mono', 'data-testid': 'email' },
    })
    const input = w.find('input')
    expect(w.find('label').attributes('for')).toBe(input.attributes('id'))
    expect(w.find('label').text()).toContain('*')
    expect(input.attributes()).toMatchObject({ type: 'email', class: 'mono', 'data-testid': 'email', 'aria-invalid': 'true' })
    expect(input.attributes('required')).toBeDefined()
    const described = input.attributes('aria-describedby')!.split(' ')
    expect(described.map((id) => w.find(`[id="${id}"]`).text())).toEqual(['Taken', 'Work address'])
    expect(w.find('.app-field').attributes('data-testid')).toBeUndefined()
    await input.setValue('b@x.org')
    expect(w.emitted('update:modelValue')?.[0]).toEqual(['b@x.org'])
  })

  it('AppFormDialog submits its form from the footer button and closes on Cancel', async () => {
    const w = mount(AppFormDialog, {
      props: { open: true, title: 'New thing', label: 'Create', busyLabel: 'Creating…', testid: 'thing-submit' },
      slots: { lead: '<p class="lead">For ada</p>', default: '<input data-testid="thing-name" />' },
      attachTo: document.body,
    })
    const form = w.find('form')
    const submitButton = w.find('[data-testid=thing-submit]')
    expect(submitButton.attributes('form')).toBe(form.attributes('id'))
    expect(form.find('[data-testid=thing-name]').exists()).toBe(true)
    expect(w.find('.lead + form').exists()).toBe(true)
    await form.trigger('submit')
    expect(w.emitted('submit')).toHaveLength(1)
    await w.setProps({ busy: true })
    expect(submitButton.text()).toBe('Creating…')
    await w.findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click')
    expect(w.emitted('update:open')?.at(-1)).toEqual([false])
    w.unmount()
  })

  it('AppFilterSelect offers "all", keeps an unlisted current value and reports a choice', async () => {
    const options = [{ value: 'gpt-4o', label: 'gpt-4o' }]
    const choices = (w: ReturnType<typeof mount>) => w.findAll('option').map((o) => [o.attributes('value'), o.text()])
    const w = mount(AppFilterSelect, {
      props: { label: 'Model', all: 'All models', options, unlisted: (m: string) => `${m} (no rows)`, modelValue: 'o1' },
      attrs: { 'data-testid': 'filter-model' },
    })
    expect(w.find('label').text()).toContain('Model')
    expect(choices(w)).toEqual([['', 'All models'], ['o1', 'o1 (no rows)'], ['gpt-4o', 'gpt-4o']])
    await w.find('[data-testid=filter-model]').setValue('gpt-4o')
    expect(w.emitted('update:modelValue')?.[0]).toEqual(['gpt-4o'])
    const fixed = mount(AppFilterSelect, { props: { label: 'Period', options, modelValue: 'o1' } })
    expect(choices(fixed)).toEqual([['gpt-4o', 'gpt-4o']])
  })

  it('AppMoney formats µ$ and keeps the exact amount in the title', () => {
    const w = mount(AppMoney, { props: { micros: 1234 } })
    expect(w.text()).toBe('<$0.01')
    expect(w.attributes('title')).toBe('$0.001234')
  })

  it('AppTime shows UTC in the title', () => {
    const w = mount(AppTime, { props: { value: '2026-11-30T03:07:16Z' } })
    expect(w.attributes('title')).toBe('2026-11-30 03:07:16 UTC')
    expect(w.attributes('datetime')).toBe('2026-11-30T03:07:16.000Z')
  })

  it('AppRiskBadge says the level in words', () => {
    expect(mount(AppRiskBadge, { props: { level: 'exhausted' } }).text()).toBe('Exhausted')
  })

  it('AppBudgetBar describes spent, reserved and remaining exactly', () => {
    const w = mount(AppBudgetBar, { props: { budget: 10_000_000, spent: 2_500_000, reserved: 1_000_000 } })
    expect(w.find('svg').attributes('aria-label')).toBe('$2.50 spent, $1.00 reserved, $6.50 remaining of $10.00')
    expect(w.find('rect.spent').attributes('width')).toBe('25')
    expect(w.find('rect.reserved').attributes('x')).toBe('25')
    const over = mount(AppBudgetBar, { props: { budget: 1_000_000, spent: 1_500_000 } })
    expect(over.text()).toContain('$0.50 over')
    expect(over.find('rect.spent').attributes('width')).toBe('100')
  })

  it('AppConfirm enables the action only once the name is typed', async () => {
    const w = mount(AppConfirm, { props: { open: true, title: 'Delete agent', objectName: 'prod-agent' }, attachTo: document.body })
    const button = () => w.find('[data-testid=confirm-button]')
    expect(button().attributes('disabled')).toBeDefined()
    await w.find('[data-testid=confirm-input]').setValue('prod-agen')
    expect(button().attributes('disabled')).toBeDefined()
    await w.find('[data-testid=confirm-input]').setValue('prod-agent')
    expect(button().attributes('disabled')).toBeUndefined()
    await w.find('form').trigger('submit')
    expect(w.emitted('confirm')).toHaveLength(1)
    w.unmount()
  })

  it('AppDialogActions submits its form, shows the busy label and cancels', async () => {
    const w = mount(AppDialogActions, { props: { form: 'f1', label: 'Add key', busyLabel: 'Adding…', testid: 'go' } })
    const submit = () => w.find('[data-testid=go]')
    expect(submit().attributes('form')).toBe('f1')
    expect(submit().text()).toBe('Add key')
    expect(submit().classes()).toContain('btn-primary')
    await w.setProps({ busy: true })
    expect(submit().text()).toBe('Adding…')
    expect(submit().attributes('disabled')).toBeDefined()
    await w.setProps({ busy: false, danger: true })
    expect(submit().classes()).toContain('btn-danger')
    expect(submit().attributes('disabled')).toBeUndefined()
    await w.find('button[type=button]').trigger('click')
    expect(w.emitted('cancel')).toHaveLength(1)
  })
})
