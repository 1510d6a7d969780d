// Money arrives as integer microdollars (µ$, 1 USD = 1,000,000 µ$). It is formatted and parsed
// here only, with BigInt: no float ever touches an amount, so $0.285 never shows as $0.28.

const MICROS_PER_CENT = 10_000n
const MICROS_PER_DOLLAR = 1_000_000n

type Micros = number | bigint | string

function toBigInt(v: Micros): bigint | null {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : null
  return /^-?\d+$/.test(v.trim()) ? BigInt(v.trim()) : null
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * `$1,234.56` from µ$, rounded half-up to the cent; `<$0.01` for a non-zero amount below a
 * cent (so a tiny spend never reads as zero); `—` for null/undefined/not an integer.
 * `precise` keeps all six decimals (trailing zeros after the cents trimmed): `$0.000123`.
 */
export function formatMicros(value: Micros | null | undefined, opts: { precise?: boolean } = {}): string {
  const v = value == null ? null : toBigInt(value)
  if (v === null) return '—'
  const sign = v < 0n ? '-' : ''
  const abs = v < 0n ? -v : v
  if (opts.precise) {
    const frac = (abs % MICROS_PER_DOLLAR).toString().padStart(6, '0').replace(/0{1,4}$/, '')
    return `${sign}$${group((abs / MICROS_PER_DOLLAR).toString())}.${frac.padEnd(2, '0')}`
  }
  if (abs > 0n && abs < MICROS_PER_CENT) return `${sign}<$0.01`
  const cents = (abs + MICROS_PER_CENT / 2n) / MICROS_PER_CENT
  return `${sign}$${group((cents / 100n).toString())}.${(cents % 100n).toString().padStart(2, '0')}`
}

/** An exact dollar string for an input field: 12500000 → "12.5", 10000 → "0.01". */
export function microsToDollarInput(value: Micros): string {
  const v = toBigInt(value)
  if (v === null) return ''
  const sign = v < 0n ? '-' : ''
  const abs = v < 0n ? -v : v
  const frac = (abs % MICROS_PER_DOLLAR).toString().padStart(6, '0').replace(/0+$/, '')
  return `${sign}${abs / MICROS_PER_DOLLAR}${frac ? `.${frac}` : ''}`
}

/**
 * Parses what a person types as dollars ("1,234.5", "$10", "0.000001") into µ$ exactly.
 * Returns null for anything else, including more than six decimals (sub-micro amounts).
 */
export function parseDollars(input: string): bigint | null {
  const s = input.trim().replace(/^\$/, '').replace(/,/g, '')
  const m = /^(-?)(\d*)(?:\.(\d{0,6}))?$/.exec(s)
  if (!m || (m[2] === '' && !m[3])) return null
  const micros = BigInt(m[2] || '0') * MICROS_PER_DOLLAR + BigInt((m[3] ?? '').padEnd(6, '0') || '0')
  return m[1] ? -micros : micros
}
