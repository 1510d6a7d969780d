import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { handleApiError, installErrorRouter } from './api/errors'
import { initTheme } from './composables/useTheme'
import { createAppRouter } from './router'
import './style.css'

initTheme()
const app = createApp(App)
app.use(createPinia())
const router = createAppRouter()
app.use(router)
installErrorRouter(router)
// Anything a view forgot to catch still reaches the person as a toast, not a silent console.
app.config.errorHandler = (e) => void handleApiError(e)
app.mount('#app')
