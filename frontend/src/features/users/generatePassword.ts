// A strong password for "Generate": 20 characters from an unambiguous alphabet (no 0/O, 1/l/I),
// drawn with the browser's CSPRNG and rejection sampling so every character is equally likely.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!'
export const GENERATED_LENGTH = 20

export function generatePassword(length = GENERATED_LENGTH): string {
  const limit = 256 - (256 % ALPHABET.length)
  let out = ''
  const buf = new Uint8Array(length * 2)
  while (out.length < length) {
    crypto.getRandomValues(buf)
    for (const b of buf) {
      if (b < limit && out.length < length) out += ALPHABET[b % ALPHABET.length]
    }
  }
  return out
}
