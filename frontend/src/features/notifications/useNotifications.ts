// The only caller of the alert API (/alert-channels, /alert-rules) for the Notifications view
// (docs/alerts.md): channels and rules are two small admin lists, loaded together; the
// delivery log of one channel pages by cursor (useDeliveryLog). Mutations reload the lists.
import { shallowRef } from 'vue'
import { api, unwrap } from '../../api/client'
import type { components, operations } from '../../api/schema'
import { useCursorList } from '../../composables/useCursorList'
import { useLoader } from '../../composables/useLoader'

export type Channel = components['schemas']['AlertChannel']
export type CreatedChannel = components['schemas']['AlertChannelCreated']
export type Rule = components['schemas']['AlertRule']
export type Delivery = components['schemas']['AlertDelivery']
export type EventType = Rule['event_types'][number]
export type TestOutcome = operations['testAlertChannel']['responses'][200]['content']['application/json']
export type ChannelKind = Channel['kind']

/** What each event type means, for the rule form (docs/alerts.md, "Events"). */
export const EVENT_TYPES: { type: EventType; label: string }[] = [
  { type: 'budget.threshold', label: 'A usage limit passed an alert threshold' },
  { type: 'budget.exhausted', label: 'A usage limit or an agent budget is used up' },
  { type: 'budget_request.created', label: 'A budget request was filed' },
  { type: 'budget_request.decided', label: 'A budget request was approved or rejected' },
  { type: 'provider_key.disabled', label: 'A provider key was disabled' },
  { type: 'usage.zero_cost', label: 'Tokens were recorded at cost $0' },
  { type: 'usage.model_not_allowed', label: 'An agent used a model its allow-list does not allow' },
  { type: 'user.locked_out', label: 'Logins to an account are refused after failures' },
]

export interface ChannelInput {
  name: string
  kind: ChannelKind
  url: string
  /** Email channels: addresses separated by commas, spaces or new lines. */
  recipients?: string
  subject_prefix?: string
}

/** The addresses of a recipients field ("a@x.com, b@y.com" or one per line). */
export function splitRecipients(text: string): string[] {
  return text.split(/[\s,;]+/).filter((r) => r !== '')
}

export interface ChannelChanges {
  name?: string
  url?: string
  is_enabled?: boolean
  recipients?: string
  subject_prefix?: string
}

export interface RuleInput {
  name: string
  event_types: EventType[]
  channel_ids: number[]
  is_enabled: boolean
}

export function useNotifications() {
  const channels = shallowRef<Channel[]>([])
  const rules = shallowRef<Rule[]>([])
  const { loading, error, run } = useLoader()

  const load = () =>
    run(
      (signal) => Promise.all([unwrap(api.GET('/api/v1/alert-channels', { signal })), unwrap(api.GET('/api/v1/alert-rules', { signal }))]),
      ([c, r]) => {
        channels.value = c
        rules.value = r
      },
    )

  /** Creates a channel; the answer holds the webhook's signing secret, shown once. An email
   *  channel sends recipients (and a subject prefix) instead of a URL. */
  async function createChannel(input: ChannelInput): Promise<CreatedChannel> {
    const body =
      input.kind === 'email'
        ? { name: input.name.trim(), kind: input.kind, recipients: splitRecipients(input.recipients ?? ''), subject_prefix: (input.subject_prefix ?? '').trim() }
        : { name: input.name.trim(), kind: input.kind, url: input.url.trim() }
    const created = await unwrap(api.POST('/api/v1/alert-channels', { body }))
    await load()
    return created
  }

  /** Saves the changed fields only: an unchanged URL is not sent (the server never returns it). */
  async function updateChannel(id: number, changes: ChannelChanges): Promise<Channel> {
    const body: { name?: string; url?: string; is_enabled?: boolean; recipients?: string[]; subject_prefix?: string } = {}
    if (changes.name !== undefined) body.name = changes.name.trim()
    if (changes.url) body.url = changes.url.trim()
    if (changes.is_enabled !== undefined) body.is_enabled = changes.is_enabled
    if (changes.recipients !== undefined) body.recipients = splitRecipients(changes.recipients)
    if (changes.subject_prefix !== undefined) body.subject_prefix = changes.subject_prefix.trim()
    const saved = await unwrap(api.PUT('/api/v1/alert-channels/{id}', { params: { path: { id } }, body }))
    await load()
    return saved
  }

  async function removeChannel(id: number): Promise<void> {
    await unwrap(api.DELETE('/api/v1/alert-channels/{id}', { params: { path: { id } } }))
    await load()
  }

  /** Sends a test alert now; a receiver that fails is an outcome, not an error. */
  async function sendTest(id: number): Promise<TestOutcome> {
    const outcome = await unwrap(api.POST('/api/v1/alert-channels/{id}/test', { params: { path: { id } } }))
    await load()
    return outcome
  }

  async function saveRule(id: number | null, input: RuleInput): Promise<Rule> {
    const body = { ...input, name: input.name.trim() }
    const saved =
      id === null
        ? await unwrap(api.POST('/api/v1/alert-rules', { body }))
        : await unwrap(api.PUT('/api/v1/alert-rules/{id}', { params: { path: { id } }, body }))
    await load()
    return saved
  }

  async function removeRule(id: number): Promise<void> {
    await unwrap(api.DELETE('/api/v1/alert-rules/{id}', { params: { path: { id } } }))
    await load()
  }

  const channelName = (id: number) => channels.value.find((c) => c.id === id)?.name ?? `#${id}`

  load()
  return { channels, rules, loading, error, load, createChannel, updateChannel, removeChannel, sendTest, saveRule, removeRule, channelName }
}

/** One channel's delivery log, newest first, "Load more" for older attempts. */
export function useDeliveryLog(channelId: () => number | null) {
  return useCursorList<Delivery>(async (cursor, signal) => {
    const id = channelId()
    if (id === null) return { items: [], next_cursor: null }
    const query = cursor ? { cursor: Number(cursor), limit: 25 } : { limit: 25 }
    return unwrap(api.GET('/api/v1/alert-channels/{id}/deliveries', { params: { path: { id }, query }, signal }))
  })
}
