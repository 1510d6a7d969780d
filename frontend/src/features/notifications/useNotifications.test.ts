import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../../test/mockApi'
import { useDeliveryLog, useNotifications, type Channel, type Delivery, type Rule } from './useNotifications'

const channel: Channel = {
  id: 7,
  name: 'On-call',
  kind: 'webhook',
  url_origin: 'https://hooks.example.com',
  is_enabled: true,
  pending_deliveries: 0,
  created_by: 'user_1',
  created_at: '2026-11-30T09:00:00Z',
  updated_at: '2026-11-30T09:00:00Z',
}
const rule: Rule = {
  id: 3,
  name: 'Spend',
  event_types: ['budget.threshold'],
  channel_ids: [7],
  is_enabled: true,
  created_by: 'user_1',
  created_at: '2026-11-30T09:00:00Z',
  updated_at: '2026-11-30T09:00:00Z',
}
const delivery = (id: number): Delivery => ({
  id,
  delivery_id: `dlv_${id}`,
  event_type: 'test',
  attempt: 1,
  outcome: 'delivered',
  status_code: 200,
  error: null,
  duration_ms: 3,
  at: '2026-11-30T09:00:00.000Z',
})

function inComponent<T>(make: () => T): T {
  let out!: T
  mount(defineComponent({ setup: () => ((out = make()), () => h('div')) }))
  return out
}

function lists() {
  return mockApi()
    .on('GET', '/api/v1/alert-channels', { body: [channel] })
    .on('GET', '/api/v1/alert-rules', { body: [rule] })
}

describe('useNotifications', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads channels and rules together, once', async () => {
    const mock = lists()
    const n = inComponent(useNotifications)
    await flushPromises()
    expect(n.channels.value).toEqual([channel])
    expect(n.rules.value).toEqual([rule])
    expect(mock.calls('GET', '/api/v1/alert-channels')).toHaveLength(1)
    expect(mock.calls('GET', '/api/v1/alert-rules')).toHaveLength(1)
    expect(n.channelName(7)).toBe('On-call')
    expect(n.channelName(99)).toBe('#99')
  })

  it('creates a channel with trimmed fields and returns the one-time secret', async () => {
    const mock = lists().on('POST', '/api/v1/alert-channels', { status: 201, body: { ...channel, id: 8, signing_secret: 'whsec_x' } })
    const n = inComponent(useNotifications)
    await flushPromises()
    const created = await n.createChannel({ name: ' Hooks ', kind: 'webhook', url: ' http://h.example/x ' })
    expect(created.signing_secret).toBe('whsec_x')
    expect(mock.calls('POST', '/api/v1/alert-channels')[0]?.body).toEqual({ name: 'Hooks', kind: 'webhook', url: 'http://h.example/x' })
    expect(mock.calls('GET', '/api/v1/alert-channels')).toHaveLength(2)
  })

  it('sends an unchanged (empty) URL not at all when editing', async () => {
    const mock = lists().on('PUT', '/api/v1/alert-channels/:id', (c) => ({ body: { ...channel, id: Number(c.params.id) } }))
    const n = inComponent(useNotifications)
    await flushPromises()
    await n.updateChannel(7, { name: 'Renamed', url: '', is_enabled: false })
    expect(mock.calls('PUT', '/api/v1/alert-channels/:id')[0]?.body).toEqual({ name: 'Renamed', is_enabled: false })
    await n.updateChannel(7, { url: 'http://new.example/' })
    expect(mock.calls('PUT', '/api/v1/alert-channels/:id')[1]?.body).toEqual({ url: 'http://new.example/' })
  })

  it('creates an email channel with its recipients split and no url', async () => {
    const mock = lists().on('POST', '/api/v1/alert-channels', { status: 201, body: { ...channel, id: 9, kind: 'email' } })
    const n = inComponent(useNotifications)
    await flushPromises()
    await n.createChannel({ name: ' Mail ', kind: 'email', url: 'ignored', recipients: ' ops@example.com,\noncall@example.org  ', subject_prefix: ' [prod] ' })
    expect(mock.calls('POST', '/api/v1/alert-channels')[0]?.body).toEqual({
      name: 'Mail',
      kind: 'email',
      recipients: ['ops@example.com', 'oncall@example.org'],
      subject_prefix: '[prod]',
    })
    const put = mock.on('PUT', '/api/v1/alert-channels/:id', (c) => ({ body: { ...channel, id: Number(c.params.id) } }))
    await n.updateChannel(9, { recipients: 'a@example.com b@example.com', subject_prefix: '' })
    expect(put.calls('PUT', '/api/v1/alert-channels/:id')[0]?.body).toEqual({ recipients: ['a@example.com', 'b@example.com'], subject_prefix: '' })
  })

  it('turns a missing SMTP relay into an ApiError with its code', async () => {
    lists().on('POST', '/api/v1/alert-channels', { status: 409, body: envelope('SMTP_NOT_CONFIGURED', 'email channels need an SMTP relay') })
    const n = inComponent(useNotifications)
    await flushPromises()
    await expect(n.createChannel({ name: 'm', kind: 'email', url: '', recipients: 'ops@example.com' })).rejects.toMatchObject({
      status: 409,
      code: 'SMTP_NOT_CONFIGURED',
    })
  })

  it('turns a refused destination into an ApiError naming the url field', async () => {
    lists().on('POST', '/api/v1/alert-channels', {
      status: 400,
      body: envelope('DESTINATION_REFUSED', 'loopback', { field: 'url', reason: 'internal_address' }),
    })
    const n = inComponent(useNotifications)
    await flushPromises()
    await expect(n.createChannel({ name: 'x', kind: 'slack', url: 'http://127.0.0.1/' })).rejects.toMatchObject({
      status: 400,
      code: 'DESTINATION_REFUSED',
      field: 'url',
    })
  })

  it('reports a failed test send as an outcome and reloads the pending counts', async () => {
    const mock = lists().on('POST', '/api/v1/alert-channels/:id/test', {
      body: { delivered: false, delivery_id: 'dlv_1', status_code: 503, error: 'the receiver answered HTTP 503', duration_ms: 4 },
    })
    const n = inComponent(useNotifications)
    await flushPromises()
    const r = await n.sendTest(7)
    expect(r.delivered).toBe(false)
    expect(r.error).toContain('503')
    expect(mock.calls('POST', '/api/v1/alert-channels/:id/test')[0]?.params.id).toBe('7')
    expect(mock.calls('GET', '/api/v1/alert-channels')).toHaveLength(2)
  })

  it('creates a rule with POST and edits one with PUT', async () => {
    const mock = lists()
      .on('POST', '/api/v1/alert-rules', { status: 201, body: rule })
      .on('PUT', '/api/v1/alert-rules/:id', { body: rule })
    const n = inComponent(useNotifications)
    await flushPromises()
    const input = { name: ' Spend ', event_types: ['budget.threshold' as const], channel_ids: [7], is_enabled: true }
    await n.saveRule(null, input)
    await n.saveRule(3, input)
    expect(mock.calls('POST', '/api/v1/alert-rules')[0]?.body).toEqual({ ...input, name: 'Spend' })
    expect(mock.calls('PUT', '/api/v1/alert-rules/:id')[0]?.params.id).toBe('3')
  })
})

describe('useDeliveryLog', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('pages a channel log back by cursor', async () => {
    const mock = mockApi().on('GET', '/api/v1/alert-channels/:id/deliveries', (c) =>
      c.url.searchParams.get('cursor')
        ? { body: { items: [delivery(1)], next_cursor: null } }
        : { body: { items: [delivery(3), delivery(2)], next_cursor: '2' } },
    )
    const log = inComponent(() => useDeliveryLog(() => 7))
    await log.reload()
    expect(log.items.value.map((d) => d.id)).toEqual([3, 2])
    expect(log.hasMore()).toBe(true)
    await log.loadMore()
    expect(log.items.value.map((d) => d.id)).toEqual([3, 2, 1])
    expect(log.hasMore()).toBe(false)
    const calls = mock.calls('GET', '/api/v1/alert-channels/:id/deliveries')
    expect(calls[0]?.params.id).toBe('7')
    expect(calls[1]?.url.searchParams.get('cursor')).toBe('2')
  })
})
