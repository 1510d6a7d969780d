// Owners by name for an admin's Owner columns (agents, API tokens, provider keys): one users
// read per view, not one per row. Others only ever see their own rows, so nothing is read for
// them; when the read fails the ids stay readable.
import { onMounted, ref } from 'vue'
import { handleApiError } from '../../api/errors'
import { useSessionStore } from '../../stores/session'
import { userNames } from './useUsers'

export function useUserNames() {
  const session = useSessionStore()
  const names = ref(new Map<string, string>())
  onMounted(async () => {
    if (!session.isAdmin) return
    try {
      names.value = await userNames()
    } catch (e) {
      handleApiError(e, { quiet: true })
    }
  })
  const ownerLabel = (id: string) => (id === session.user?.id ? 'you' : (names.value.get(id) ?? id))
  return { names, ownerLabel }
}
