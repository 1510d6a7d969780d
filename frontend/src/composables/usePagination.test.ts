import { describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import { usePagination } from './usePagination'

describe('usePagination', () => {
  it('derives pages and the shown range from the total', () => {
    const state = reactive({ page: 3, per_page: 25 })
    const p = usePagination({ state, set: (x) => Object.assign(state, x) })
    expect(p.totalPages.value).toBeNull()
    p.total.value = 61
    expect(p.totalPages.value).toBe(3)
    expect(p.range.value).toEqual({ from: 51, to: 61 })
    p.total.value = 0
    expect(p.totalPages.value).toBe(1)
    expect(p.range.value).toEqual({ from: 0, to: 0 })
    p.setPageSize(50)
    expect(state.per_page).toBe(50)
  })
})
