import { describe, expect, it } from 'vitest'
import { formatMicros, microsToDollarInput, parseDollars } from './money'

describe('formatMicros', () => {
  const cases: [number | bigint | string | null | undefined, string][] = [
    [0, '$0.00'],
    [1, '<$0.01'],
    [9_999, '<$0.01'],
    [10_000, '$0.01'],
    [14_999, '$0.01'],
    [15_000, '$0.02'], // half a cent rounds up
    [285_000, '$0.29'],
    [1_234_560_000, '$1,234.56'],
    [1_000_000_000_000, '$1,000,000.00'],
    [-2_500_000, '-$2.50'],
    [-1, '-<$0.01'],
    [9_007_199_254_740_991, '$9,007,199,254.74'], // Number.MAX_SAFE_INTEGER µ$, no float drift
    [123_456_789_012_345_678n, '$123,456,789,012.35'],
    ['42000000', '$42.00'],
    [null, '—'],
    [undefined, '—'],
    [1.5, '—'], // not an integer amount: refuse rather than guess
    ['12abc', '—'],
  ]
  for (const [input, want] of cases) {
    it(`${String(input)} → ${want}`, () => expect(formatMicros(input)).toBe(want))
  }

  const precise: [number, string][] = [
    [0, '$0.00'],
    [123, '$0.000123'],
    [1_000_000, '$1.00'],
    [1_230_000, '$1.23'],
    [1_234_500, '$1.2345'],
    [12_345_678_901, '$12,345.678901'],
  ]
  for (const [input, want] of precise) {
    it(`precise ${input} → ${want}`, () => expect(formatMicros(input, { precise: true })).toBe(want))
  }
})

describe('parseDollars', () => {
  const cases: [string, bigint | null][] = [
    ['10', 10_000_000n],
    ['$1,234.56', 1_234_560_000n],
    ['0.000001', 1n],
    ['.5', 500_000n],
    ['  7.25 ', 7_250_000n],
    ['-3', -3_000_000n],
    ['0.0000001', null], // below a microdollar
    ['', null],
    ['.', null],
    ['abc', null],
    ['1e3', null],
  ]
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${String(want)}`, () => expect(parseDollars(input)).toBe(want))
  }

  it('round-trips with microsToDollarInput', () => {
    for (const v of [0n, 1n, 10_000n, 12_500_000n, 1_234_567_891n]) {
      expect(parseDollars(microsToDollarInput(v))).toBe(v)
    }
    expect(microsToDollarInput(12_500_000)).toBe('12.5')
  })
})
