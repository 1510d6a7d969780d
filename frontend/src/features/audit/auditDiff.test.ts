import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { diffFields, showValue } from './auditDiff'
import AuditDiff from './components/AuditDiff.vue'

describe('diffFields', () => {
  it('lists only the fields that changed, nested ones by dotted name', () => {
    const before = { role: 'user', is_active: true, email: 'a@x', limits: { daily: 5, monthly: 9 } }
    const after = { role: 'admin', is_active: true, email: 'a@x', limits: { daily: 7, monthly: 9 }, note: 'hi' }
    expect(diffFields(before, after)).toEqual([
      { field: 'limits.daily', kind: 'changed', before: 5, after: 7 },
      { field: 'note', kind: 'added', after: 'hi' },
      { field: 'role', kind: 'changed', before: 'user', after: 'admin' },
    ])
  })

  it('shows a creation as added fields and a deletion as removed ones', () => {
    expect(diffFields(null, { id: 'u1', role: 'viewer' })).toEqual([
      { field: 'id', kind: 'added', after: 'u1' },
      { field: 'role', kind: 'added', after: 'viewer' },
    ])
    expect(diffFields({ id: 'u1' }, null)).toEqual([{ field: 'id', kind: 'removed', before: 'u1' }])
    expect(diffFields(null, null)).toEqual([])
  })

  it('compares arrays and scalars whole, and keeps a raw string the server could not parse', () => {
    expect(diffFields({ tags: [1, 2] }, { tags: [1, 2] })).toEqual([])
    expect(diffFields({ tags: [1] }, { tags: [1, 2] })).toEqual([{ field: 'tags', kind: 'changed', before: [1], after: [1, 2] }])
    expect(diffFields('raw', null)).toEqual([{ field: '(value)', kind: 'removed', before: 'raw' }])
    expect(showValue({ a: 1 })).toBe('{"a":1}')
    expect(showValue(null)).toBe('null')
  })
})

describe('AuditDiff', () => {
  it('renders the server’s values as text, including its redaction marker, and nothing else', () => {
    const w = mount(AuditDiff, {
      props: { before: { key: '[redacted]', enabled: true }, after: { key: '[redacted]', enabled: false } },
    })
    const rows = w.findAll('tbody tr')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.text()).toContain('enabled')
    expect(rows[0]!.text()).toContain('true')
    expect(rows[0]!.text()).toContain('false')
    expect(w.html()).not.toContain('[redacted]') // unchanged fields are not listed
  })

  it('says so when nothing changed', () => {
    const w = mount(AuditDiff, { props: { before: null, after: null } })
    expect(w.find('[data-testid="audit-diff-empty"]').exists()).toBe(true)
  })

  it('does not interpret markup in values', () => {
    const w = mount(AuditDiff, { props: { before: null, after: { name: '<img src=x onerror=alert(1)>' } } })
    expect(w.find('img').exists()).toBe(false)
    expect(w.text()).toContain('<img src=x onerror=alert(1)>')
  })
})
