// Chart.js with only the parts AppChart uses, registered once. AppChart imports this module
// lazily, so Chart.js (~60 KB gz) loads with the first chart, never in the initial JS.
// Chart.js draws tooltips on the canvas and sets sizes through CSSOM: it holds under the CSP.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js'

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip)

export { Chart }
